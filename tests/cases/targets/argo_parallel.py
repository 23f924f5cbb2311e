# target: argo
from flowc import FlowSpec, parallel, step


class ArgoParallelFlow(FlowSpec):
    @step
    def start(self):  # E: FC301 "num_parallel at step 'start' cannot be"
        self.next(self.train, num_parallel=2)

    @parallel  # E: FC301 "@parallel on step 'train': cannot be"
    @step
    def train(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
