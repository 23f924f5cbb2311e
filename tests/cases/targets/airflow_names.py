# target: airflow
from flowc import FlowSpec, kubernetes, step


class AirflowNamesFlow(FlowSpec):
    @kubernetes(namespace="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")  # E: FC308 "@kubernetes on step 'start': namespace"
    @step
    def start(self):
        self.next(self.end)

    @kubernetes(persistent_volume_claims={"Data_PVC": "/mnt/data"}, node_selector={"pool": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})  # E: FC308 "@kubernetes on step 'end': claim", FC308 "@kubernetes on step 'end': node_selector"
    @step
    def end(self):
        pass
