from metaflow import FlowSpec, step


class SwitchCaseUnusedInForeachFlow(FlowSpec):
    """No foreach task picks `even`: its mapped task is skipped, the join still runs."""

    @step
    def start(self):
        self.nums = [1, 3]
        self.next(self.classify, foreach="nums")

    @step
    def classify(self):
        self.parity = "even" if self.input % 2 == 0 else "odd"
        self.next({"even": self.even, "odd": self.odd}, condition="parity")

    @step
    def even(self):
        self.out = "even"
        self.next(self.join)

    @step
    def odd(self):
        self.out = "odd"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.outs = [i.out for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SwitchCaseUnusedInForeachFlow()
