from metaflow import FlowSpec, step


class NestedForeach3Flow(FlowSpec):
    """Three foreaches nested in each other."""

    @step
    def start(self):
        self.xs = [1, 2]
        self.next(self.level1, foreach="xs")

    @step
    def level1(self):
        self.x = self.input
        self.ys = list(range(self.x + 1))
        self.next(self.level2, foreach="ys")

    @step
    def level2(self):
        self.y = self.input
        self.zs = ["p", "q"]
        self.next(self.level3, foreach="zs")

    @step
    def level3(self):
        self.cell = f"{self.x}-{self.y}-{self.input}"
        self.stack = [list(s[:2]) for s in self.foreach_stack()]
        self.next(self.join3)

    @step
    def join3(self, inputs):
        self.cells = [i.cell for i in inputs]
        self.stacks = [i.stack for i in inputs]
        self.next(self.join2)

    @step
    def join2(self, inputs):
        self.cells = [c for i in inputs for c in i.cells]
        self.stacks = [s for i in inputs for s in i.stacks]
        self.next(self.join1)

    @step
    def join1(self, inputs):
        self.cells = [c for i in inputs for c in i.cells]
        self.stacks = [s for i in inputs for s in i.stacks]
        self.next(self.end)

    @step
    def end(self):
        self.result = {"cells": self.cells, "stacks": self.stacks}


if __name__ == "__main__":
    NestedForeach3Flow()
