# target: stepfunctions
from flowc import FlowSpec, batch, card, kubernetes, project, pypi_base, resources, secrets, step, timeout


@pypi_base(packages={"numpy": "2.1.3"})  # E: FC308
@project(name="fraud", production=True)  # W: FC302
class StepFunctionsBatchFlow(FlowSpec):
    @timeout(hours=100000000)  # E: FC307
    @resources(disk=20000)  # E: FC308
    @step
    def start(self):
        self.next(self.middle)

    @kubernetes(cpu=2, tolerations=[{"key": "gpu", "operator": "Exists"}])  # E: FC308
    @batch(cpu=2, privileged=True)  # E: FC308
    @secrets(sources=["db-creds"])  # E: FC308
    @step
    def middle(self):
        self.next(self.end)

    @card  # W: FC302
    @step
    def end(self):
        pass
