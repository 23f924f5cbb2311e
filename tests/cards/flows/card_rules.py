from metaflow import FlowSpec, card, current, step
from metaflow.cards import Markdown, Table
from metaflow.plugins.cards.card_modules.test_cards import TestStringComponent


class CardRulesFlow(FlowSpec):
    """One step per rule of @card and current.card."""

    @card(type="test_editable_card")
    @step
    def start(self):
        self.number = 41
        current.card.append(TestStringComponent("41"))
        current.card.append("not a component")
        self.next(self.two_cards)

    @card(type="test_editable_card", id="named")
    @card(type="test_editable_card")
    @step
    def two_cards(self):
        current.card.append(TestStringComponent("to-default"))
        current.card["named"].append(TestStringComponent("to-named"))
        current.card["missing"].append(TestStringComponent("lost"))
        self.next(self.customized)

    @card(type="test_editable_card", customize=True)
    @card(type="test_editable_card_2")
    @card(type="taskspec_card")
    @step
    def customized(self):
        current.card.append(TestStringComponent("custom"))
        self.next(self.failures)

    @card(type="test_error_card")
    @card(type="no_such_card_type")
    @card(type="test_error_card", id="quiet", save_errors=False)
    @card(type="test_timeout_card", id="slow", timeout=1, options={"timeout": 5})
    @step
    def failures(self):
        self.next(self.pages)

    @card(type="blank", id="page")
    @card(id="overview")
    @step
    def pages(self):
        self.secret = "<b>artifact</b>"
        current.card["page"].append(Markdown("# Title <script>"))
        current.card["page"].append(Table([["<i>cell</i>", 2]], headers=["h<1>", "n"]))
        current.card["overview"].extend([Markdown("**bold**")])
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    CardRulesFlow()
