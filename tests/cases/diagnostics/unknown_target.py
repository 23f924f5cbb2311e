from metaflow import FlowSpec, step


class UnknownTargetFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.trian)  # E: FC101 "step `start` goes to unknown step `trian`"

    @step
    def train(self):
        self.next(self.end)

    @step
    def end(self):
        pass
