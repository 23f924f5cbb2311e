# target: airflow
# datastore: .flowc
# unplaced: W FC306
from flowc import FlowSpec, parallel, step


class AirflowGraphFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=2)  # E: FC301 "num_parallel at step 'start' needs"

    @parallel  # E: FC301 "@parallel on step 'train': Airflow cannot gang-schedule"
    @step
    def train(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
