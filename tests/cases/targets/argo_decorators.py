# target: argo
from flowc import FlowSpec, batch, card, kubernetes, pypi, resources, secrets, step, trigger


@trigger(event="data_ready", options={"delay": 5})  # E: FC308 "@trigger(options={'delay': ...}) has no Argo Events"
class ArgoDecoratorsFlow(FlowSpec):
    @kubernetes(namespace="elsewhere", labels={"bad key!": "x"})  # E: FC308 "@kubernetes(namespace=...) on step", FC308 "@kubernetes on step 'start': label bad"
    @secrets(sources=["aws-secrets-manager:db-creds"])  # E: FC308 "@secrets on step 'start': secret source"
    @step
    def start(self):
        self.next(self.middle)

    @resources(shared_memory=512)  # E: FC308 "@resources(shared_memory=...) on step"
    @batch(cpu=4)  # E: FC308 "@batch on step 'middle': @batch runs the"
    @pypi(packages={"numpy": "2.1.3"})
    @step
    def middle(self):
        self.next(self.end)

    @card(refresh_interval=1)  # the shim stores live card data (no diagnostic)
    @kubernetes(port=8080, qos="Burstable")  # the port is the container's; the default qos asks for nothing
    @step
    def end(self):
        pass
