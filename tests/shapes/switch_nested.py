from metaflow import FlowSpec, step


class SwitchNestedFlow(FlowSpec):
    """A switch whose chosen case switches again."""

    @step
    def start(self):
        self.outer = "b"
        self.inner = "y"
        self.next({"a": self.a, "b": self.b}, condition="outer")

    @step
    def a(self):
        self.path = ["a"]
        self.next(self.merge)

    @step
    def b(self):
        self.path = ["b"]
        self.next({"x": self.bx, "y": self.by}, condition="inner")

    @step
    def bx(self):
        self.path = [*self.path, "x"]
        self.next(self.merge_b)

    @step
    def by(self):
        self.path = [*self.path, "y"]
        self.next(self.merge_b)

    @step
    def merge_b(self):
        self.path = [*self.path, "merged_b"]
        self.next(self.merge)

    @step
    def merge(self):
        self.next(self.end)

    @step
    def end(self):
        self.result = {"path": self.path}


if __name__ == "__main__":
    SwitchNestedFlow()
