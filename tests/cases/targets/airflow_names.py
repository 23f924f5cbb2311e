# target: airflow
from flowc import FlowSpec, kubernetes, step


class AirflowNamesFlow(FlowSpec):
    @kubernetes(namespace="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")  # E: FC308
    @step
    def start(self):
        self.next(self.end)

    @kubernetes(persistent_volume_claims={"Data_PVC": "/mnt/data"}, node_selector={"pool": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})  # E: FC308, FC308
    @step
    def end(self):
        pass
