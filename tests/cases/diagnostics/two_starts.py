from metaflow import FlowSpec, step


class TwoStartsFlow(FlowSpec):
    @step(start=True)
    def begin(self):
        self.next(self.end)

    @step
    def start(self):  # E: FC110 "more than one start step: `begin`, `start`"
        self.next(self.end)

    @step
    def end(self):
        pass
