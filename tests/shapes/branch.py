from metaflow import FlowSpec, step


class BranchFlow(FlowSpec):
    """A static split into two branches joined again."""

    @step
    def start(self):
        self.base = 5
        self.next(self.left, self.right)

    @step
    def left(self):
        self.value = self.base + 1
        self.next(self.join)

    @step
    def right(self):
        self.value = self.base * 3
        self.next(self.join)

    @step
    def join(self, inputs):
        self.values = sorted(i.value for i in inputs)
        self.from_left = inputs.left.value
        self.merge_artifacts(inputs, exclude=["value"])
        self.next(self.end)

    @step
    def end(self):
        self.result = {"values": self.values, "left": self.from_left, "base": self.base}


if __name__ == "__main__":
    BranchFlow()
