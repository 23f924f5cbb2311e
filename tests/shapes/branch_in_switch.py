from metaflow import FlowSpec, step


class BranchInSwitchFlow(FlowSpec):
    """The chosen case of a switch splits into branches and joins them."""

    @step
    def start(self):
        self.kind = "wide"
        self.next({"wide": self.wide, "narrow": self.narrow}, condition="kind")

    @step
    def wide(self):
        self.next(self.w1, self.w2)

    @step
    def w1(self):
        self.part = 1
        self.next(self.wjoin)

    @step
    def w2(self):
        self.part = 2
        self.next(self.wjoin)

    @step
    def wjoin(self, inputs):
        self.total = sum(i.part for i in inputs)
        self.next(self.merge)

    @step
    def narrow(self):
        self.total = 0
        self.next(self.merge)

    @step
    def merge(self):
        self.next(self.end)

    @step
    def end(self):
        self.result = {"total": self.total}


if __name__ == "__main__":
    BranchInSwitchFlow()
