# target: argo
# options: kindd=Workflow
# unplaced: E FC305
from flowc import FlowSpec, step


class ArgoOptionsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
