# target: airflow
from flowc import FlowSpec, batch, card, conda, exit_hook, kubernetes, secrets, step, trigger_on_finish


@trigger_on_finish(flow="UpstreamFlow")  # E: FC308
class AirflowKubernetesFlow(FlowSpec):
    @kubernetes(node_selector={"pool": "gpu"}, use_tmpfs=True)  # E: FC308
    @secrets(sources=["db-creds", "aws-secrets-manager:api-key"], role="reader")  # E: FC308, FC308
    @step
    def start(self):
        self.next(self.middle)

    @batch(queue="q")  # E: FC308
    @conda(packages={"numpy": "2.1.3"})  # E: FC308
    @step
    def middle(self):
        self.next(self.end)

    @card(type="blank")  # W: FC302
    @step
    def end(self):
        pass
