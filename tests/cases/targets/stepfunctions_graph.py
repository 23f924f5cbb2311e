# target: stepfunctions
# options: compute=ecs
from flowc import FlowSpec, batch, parallel, step


class StepFunctionsGraphFlow(FlowSpec):
    @batch(queue="q")  # E: FC308 "@batch(queue=...) on step 'start': a Batch"
    @step
    def start(self):
        self.next(self.train, num_parallel=2)  # E: FC301 "num_parallel at step 'start' needs"

    @parallel  # E: FC301 "@parallel on step 'train': Step Functions cannot gang-schedule"
    @step
    def train(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
