# target: airflow
# options: operator=local
from flowc import FlowSpec, kubernetes, resources, secrets, step


class AirflowLocalFlow(FlowSpec):
    @resources(cpu=2)  # W: FC302
    @kubernetes(image="trainer:1")  # E: FC308
    @step
    def start(self):
        self.next(self.end)

    @secrets(sources=["db-creds"])  # E: FC308
    @step
    def end(self):
        pass
