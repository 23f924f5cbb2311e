# target: stepfunctions
# options: comptue=batch
# unplaced: E FC305
from flowc import FlowSpec, step


class StepFunctionsOptionsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
