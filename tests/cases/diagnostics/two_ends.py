from metaflow import FlowSpec, step


class TwoEndsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step(end=True)
    def join(self, inputs):
        pass

    @step(end=True)
    def end(self):  # E: FC110 "more than one end step: `join`, `end`"
        pass
