from flowc import FlowSpec, step


class BranchForeachFlow(FlowSpec):
    """A static branch whose one side is a foreach with a branching body."""

    @step
    def start(self):
        self.items = ["x", "y", "z"]
        self.next(self.fan, self.side)

    @step
    def fan(self):
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.item = self.input
        self.next(self.left, self.right)

    @step
    def left(self):
        self.l_val = self.item + "L"
        self.next(self.body_join)

    @step
    def right(self):
        self.r_val = self.item + "R"
        self.next(self.body_join)

    @step
    def body_join(self, inputs):
        self.pair = inputs.left.l_val + inputs.right.r_val
        self.next(self.fan_join)

    @step
    def fan_join(self, inputs):
        self.pairs = [i.pair for i in inputs]
        self.next(self.join)

    @step
    def side(self):
        self.side_val = len(self.items)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.result = (inputs.fan_join.pairs, inputs.side.side_val)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    BranchForeachFlow()
