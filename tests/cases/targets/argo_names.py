# target: argo
from flowc import FlowSpec, kubernetes, step


class ArgoNamesFlow(FlowSpec):
    @kubernetes(labels={"team": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})  # E: FC308 "@kubernetes on step 'start': label"
    @step
    def start(self):
        self.next(self.end)

    @kubernetes(service_account="Trainer")  # E: FC308 "@kubernetes on step 'end': service_account"
    @step
    def end(self):
        pass
