# target: argo
from flowc import FlowSpec, parallel, step


class ArgoParallelFlow(FlowSpec):
    @step
    def start(self):  # E: FC301
        self.next(self.train, num_parallel=2)

    @parallel  # E: FC301
    @step
    def train(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
