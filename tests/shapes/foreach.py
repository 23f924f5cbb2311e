from metaflow import FlowSpec, step


class ForeachFlow(FlowSpec):
    """A foreach over a list, joined with the results in order."""

    @step
    def start(self):
        self.items = ["a", "bb", "ccc", "dddd"]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.length = len(self.input)
        self.position = self.index
        self.next(self.join)

    @step
    def join(self, inputs):
        self.lengths = [i.length for i in inputs]
        self.positions = [i.position for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        self.result = {"lengths": self.lengths, "positions": self.positions}


if __name__ == "__main__":
    ForeachFlow()
