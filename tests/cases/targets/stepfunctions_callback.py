# target: stepfunctions
# options: compute=callback queue_url=https://sqs.eu-west-1.amazonaws.com/1/q
from flowc import FlowSpec, Parameter, batch, resources, step


class StepFunctionsCallbackFlow(FlowSpec):
    dashed = Parameter("max-items", default=1)  # a name with dashes is valid here too

    @resources(memory=8192)  # W: FC302 "@resources on step 'start': with"
    @batch(queue="q")  # E: FC308 "@batch on step 'start': with"
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
