from metaflow import FlowSpec, step


class NestedBranchesFlow(FlowSpec):
    """A split whose first branch splits again."""

    @step
    def start(self):
        self.seed = 2
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.a1, self.a2)

    @step
    def a1(self):
        self.v = self.seed + 100
        self.next(self.join_a)

    @step
    def a2(self):
        self.v = self.seed + 200
        self.next(self.join_a)

    @step
    def join_a(self, inputs):
        self.v = sum(i.v for i in inputs)
        self.next(self.join)

    @step
    def b(self):
        self.v = self.seed * 7
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.v for i in inputs)
        self.parts = sorted(i.v for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        self.result = {"total": self.total, "parts": self.parts}


if __name__ == "__main__":
    NestedBranchesFlow()
