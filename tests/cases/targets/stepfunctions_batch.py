# target: stepfunctions
from flowc import FlowSpec, batch, card, kubernetes, project, pypi_base, resources, secrets, step, timeout


@pypi_base(packages={"numpy": "2.1.3"})
@project(name="fraud", production=True)  # names the machine fraud.prod.StepFunctionsBatchFlow
class StepFunctionsBatchFlow(FlowSpec):
    @timeout(hours=100000000)  # E: FC307 "@timeout on step 'start' is"
    @resources(disk=20000)  # E: FC308 "@resources(disk=...) on step 'start': this"
    @step
    def start(self):
        self.next(self.middle)

    @kubernetes(cpu=2, tolerations=[{"key": "gpu", "operator": "Exists"}])  # E: FC308 "@kubernetes(tolerations=...) on step"
    @batch(cpu=2, privileged=True)  # E: FC308 "@batch(privileged=...) on step 'middle':"
    @secrets(sources=["db-creds"])  # E: FC308 "@secrets on step 'middle': flowc does not"
    @step
    def middle(self):
        self.next(self.end)

    @card(refresh_interval=1)  # the shim stores live card data (no diagnostic)
    @step
    def end(self):
        pass
