from metaflow import FlowSpec, step


class LinearFlow(FlowSpec):
    """Four steps in a row; artifacts are inherited along the chain."""

    @step
    def start(self):
        self.x = 1
        self.next(self.a)

    @step
    def a(self):
        self.x += 10
        self.y = "a"
        self.next(self.b)

    @step
    def b(self):
        self.x *= 2
        self.next(self.end)

    @step
    def end(self):
        self.result = {"x": self.x, "y": self.y}


if __name__ == "__main__":
    LinearFlow()
