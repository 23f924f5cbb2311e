# target: airflow
# options: operator=local
from flowc import FlowSpec, kubernetes, resources, secrets, step


class AirflowLocalFlow(FlowSpec):
    @resources(cpu=2)  # W: FC302 "@resources on step 'start': the local"
    @kubernetes(image="trainer:1")  # E: FC308 "@kubernetes on step 'start': the local"
    @step
    def start(self):
        self.next(self.end)

    @secrets(sources=["db-creds"])  # E: FC308 "@secrets on step 'end': the local operator"
    @step
    def end(self):
        pass
