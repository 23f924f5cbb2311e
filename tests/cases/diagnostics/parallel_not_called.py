from metaflow import FlowSpec, parallel, step


class ParallelNotCalledFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train)

    @parallel
    @step
    def train(self):  # E: FC122 "step `train` has @parallel but `start`"
        self.next(self.end)

    @step
    def end(self):
        pass
