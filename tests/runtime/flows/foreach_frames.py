from metaflow import FlowSpec, step


class ForeachFramesFlow(FlowSpec):
    """Reads Metaflow's foreach frames (``self._foreach_stack``) two levels deep."""

    @step
    def start(self):
        self.xs = "ab"
        self.next(self.outer, foreach="xs")

    @step
    def outer(self):
        self.ys = [10, 20, 30]
        self.next(self.inner, foreach="ys")

    @step
    def inner(self):
        self.frames = [tuple(f) for f in self._foreach_stack]
        self.next(self.inner_join)

    @step
    def inner_join(self, inputs):
        self.frames = [i.frames for i in inputs]
        self.next(self.outer_join)

    @step
    def outer_join(self, inputs):
        self.frames = [f for i in inputs for f in i.frames]
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ForeachFramesFlow()
