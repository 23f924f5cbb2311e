# target: stepfunctions
# options: region=eu-west-1 account_id=123456789012
from flowc import FlowSpec, step, trigger


@trigger(events=["data.ready", "model.trained"], options={"delay": 5})  # E: FC308 "names 2 events; Metaflow starts the run when all of them", FC308 "has no EventBridge equivalent", FC305 "needs option events_role_arn"
class StepFunctionsTriggerFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
