# target: stepfunctions
# options: compute=ecs
from flowc import FlowSpec, batch, parallel, step


class StepFunctionsGraphFlow(FlowSpec):
    @batch(queue="q")  # E: FC308
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
