# target: airflow
from flowc import FlowSpec, batch, card, exit_hook, kubernetes, secrets, step, trigger_on_finish


@trigger_on_finish(flow="UpstreamFlow", options={"delay": 5})  # E: FC308 "@trigger_on_finish(options=...) on the flow: has no Airflow asset"
class AirflowKubernetesFlow(FlowSpec):
    @kubernetes(node_selector={"pool": "gpu"}, use_tmpfs=True)  # E: FC308 "@kubernetes(use_tmpfs=...) on step"
    @secrets(sources=["db-creds", "aws-secrets-manager:api-key"], role="reader")  # E: FC308 "@secrets(role=...) on step 'start':", FC308 "@secrets on step 'start': secret source"
    @step
    def start(self):
        self.next(self.middle)

    @batch(queue="q")  # E: FC308 "@batch on step 'middle': @batch runs the"
    @step
    def middle(self):
        self.next(self.end)

    @card(type="blank")
    @step
    def end(self):
        pass
