# target: stepfunctions
from flowc import FlowSpec, schedule, step


@schedule(cron="0 3 1 * 1")  # E: FC308 "@schedule cron '0 3 1 * 1' restricts both"
class StepFunctionsScheduleFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
