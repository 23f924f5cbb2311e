from metaflow import FlowSpec, step


class StepSignatureFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a)

    @step
    def a(self, inputs, extra):  # E: FC124 "step `a` must take `self` (and `inputs`"
        self.next(self.b)

    @step
    def b():  # E: FC124 "step `b` must take `self` (and `inputs`"
        self.next(self.c)

    @step
    async def c(self):  # E: FC124 "step `c` must not be async"
        self.next(self.end)

    @step
    def end(self):
        pass
