"""A flow with cards for every target's execution tests (tests/support/cards.py checks
what its tasks stored): a default card with a component and a live refresh on start, a
hostile parameter value and artifact, a foreach, a blank card on the join."""

from metaflow import FlowSpec, Parameter, card, current, step
from metaflow.cards import Markdown

HOSTILE = "<img src=x onerror=alert(1)>"


class CardTargetsFlow(FlowSpec):
    label = Parameter("label", default="<img src=x onerror=alert(1)>")

    @card
    @step
    def start(self):
        self.hostile = HOSTILE
        self.items = [1, 2]
        current.card.append(Markdown(f"**made on the target** {HOSTILE}"), id="note")
        current.card.refresh(force=True)
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.doubled = self.input * 2
        self.next(self.join)

    @card(type="blank", id="summary")
    @step
    def join(self, inputs):
        self.total = sum(i.doubled for i in inputs)
        current.card["summary"].append(Markdown(f"total **{self.total}**"))
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    CardTargetsFlow()
