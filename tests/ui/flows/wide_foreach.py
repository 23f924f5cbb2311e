"""A 1,000-wide foreach: the run page of a run this size must be interactive within 1 s."""

from metaflow import FlowSpec, Parameter, step


class WideFlow(FlowSpec):
    width = Parameter("width", default=1000, type=int)

    @step
    def start(self):
        self.items = list(range(self.width))
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.square = self.input * self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.square for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    WideFlow()
