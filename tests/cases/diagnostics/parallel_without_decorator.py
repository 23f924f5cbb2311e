from metaflow import FlowSpec, step


class ParallelWithoutDecoratorFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=4)  # E: FC122 "num_parallel targets `train`, which is not"

    @step
    def train(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
