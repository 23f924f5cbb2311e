from metaflow import FlowSpec, step


class JoinWithoutInputsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step
    def join(self):  # E: FC112 "step `join` receives 2 paths from `start`"
        self.next(self.end)

    @step
    def end(self):
        pass
