# target: argo
# options: kind=Workflow
# datastore: .flowc
# unplaced: W FC306
from flowc import FlowSpec, schedule, step


@schedule(hourly=True)  # W: FC302 "@schedule does not apply to a single Workflow"
class ArgoLocalDatastoreFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
