import os

from metaflow import FlowSpec, card, current, step


class CardResumeFlow(FlowSpec):
    @card(type="taskspec_card")
    @step
    def start(self):
        self.origin = current.pathspec
        self.next(self.end)

    @step
    def end(self):
        if os.environ.get("CARD_RESUME_FAIL") == "1":
            raise RuntimeError("fail so the run can be resumed")


if __name__ == "__main__":
    CardResumeFlow()
