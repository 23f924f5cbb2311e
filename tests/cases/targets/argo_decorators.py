# target: argo
from flowc import FlowSpec, batch, card, kubernetes, pypi, resources, secrets, step, trigger


@trigger(event="data_ready")  # E: FC308
class ArgoDecoratorsFlow(FlowSpec):
    @kubernetes(namespace="elsewhere", labels={"bad key!": "x"})  # E: FC308, FC308
    @secrets(sources=["aws-secrets-manager:db-creds"])  # E: FC308
    @step
    def start(self):
        self.next(self.middle)

    @resources(shared_memory=512)  # E: FC308
    @batch(cpu=4)  # E: FC308
    @pypi(packages={"numpy": "2.1.3"})  # E: FC308
    @step
    def middle(self):
        self.next(self.end)

    @card  # W: FC302
    @kubernetes(port=8080, qos="Burstable")  # W: FC302 (the default qos asks for nothing)
    @step
    def end(self):
        pass
