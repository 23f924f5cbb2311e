# target: airflow
# options: operater=local
# unplaced: E FC305
from flowc import FlowSpec, step


class AirflowOptionsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
