# target: argo
# datastore: .flowc
# unplaced: W FC306
from flowc import FlowSpec, schedule, step


@schedule(hourly=True)  # a CronWorkflow beside the WorkflowTemplate (no diagnostic)
class ArgoLocalDatastoreFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
