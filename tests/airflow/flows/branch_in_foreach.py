from flowc import FlowSpec, step


class BranchInForeachFlow(FlowSpec):
    """A static branch inside every foreach task."""

    @step
    def start(self):
        self.items = [1, 2, 3]
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.x = self.input
        self.next(self.left, self.right)

    @step
    def left(self):
        self.side = self.x * 2
        self.next(self.inner_join)

    @step
    def right(self):
        self.side = self.x + 100
        self.next(self.inner_join)

    @step
    def inner_join(self, inputs):
        self.v = inputs.left.side + inputs.right.side
        self.next(self.collect)

    @step
    def collect(self, inputs):
        self.vs = [i.v for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        self.result = self.vs
