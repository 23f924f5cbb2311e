from metaflow import FlowSpec, step, unbounded_test_foreach_internal
from metaflow.plugins import InternalTestUnboundedForeachInput


class UnboundedFlow(FlowSpec):
    """A foreach over Metaflow's test input for unbounded foreaches."""

    @step
    def start(self):
        self.items = InternalTestUnboundedForeachInput(["a", "b", "c"])
        self.next(self.each, foreach="items")

    @unbounded_test_foreach_internal
    @step
    def each(self):
        self.got = (self.index, self.input, self.foreach_stack()[0][1])
        self.whole = str(self.items[None])
        self.next(self.join)

    @step
    def join(self, inputs):
        self.got = [i.got for i in inputs]
        self.whole = inputs[0].whole
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    UnboundedFlow()
