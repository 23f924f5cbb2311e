from metaflow import FlowSpec, step


class SwitchEndsForeachFlow(FlowSpec):
    """A switch in a foreach body; its cases end at the foreach join."""

    @step
    def start(self):
        self.nums = [1, 2, 3, 4, 5]
        self.next(self.classify, foreach="nums")

    @step
    def classify(self):
        self.n = self.input
        self.parity = "even" if self.n % 2 == 0 else "odd"
        self.next({"even": self.even, "odd": self.odd}, condition="parity")

    @step
    def even(self):
        self.out = self.n // 2
        self.next(self.join)

    @step
    def odd(self):
        self.out = 3 * self.n + 1
        self.next(self.join)

    @step
    def join(self, inputs):
        self.outs = [i.out for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        self.result = {"outs": self.outs}


if __name__ == "__main__":
    SwitchEndsForeachFlow()
