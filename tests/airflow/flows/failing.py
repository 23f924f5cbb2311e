from flowc import FlowSpec, step


class FailingFlow(FlowSpec):
    """A step that always fails: the run must fail."""

    @step
    def start(self):
        self.next(self.broken)

    @step
    def broken(self):
        self.limit = 0
        if self.limit == 0:
            raise ValueError("this step always fails")
        self.next(self.end)

    @step
    def end(self):
        pass
