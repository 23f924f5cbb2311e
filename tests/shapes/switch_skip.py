from metaflow import FlowSpec, Parameter, step


class SwitchSkipFlow(FlowSpec):
    """One switch case goes straight to the merge step, the other through a step."""

    choice = Parameter("choice", default="work", help="work or skip")

    @step
    def start(self):
        self.mode = self.choice
        self.next({"work": self.work, "skip": self.merge}, condition="mode")

    @step
    def work(self):
        self.worked = True
        self.next(self.merge)

    @step
    def merge(self):
        self.seen = getattr(self, "worked", False)
        self.summary = f"{self.mode}:{self.seen}"
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SwitchSkipFlow()
