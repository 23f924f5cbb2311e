# target: argo
from flowc import FlowSpec, kubernetes, parallel, retry, step


class ArgoParallelFlow(FlowSpec):
    """A top-level gang becomes a JobSet; what a JobSet cannot carry is refused."""

    @step
    def start(self):
        self.next(self.train, num_parallel=2)

    @retry(times=2, minutes_between_retries=1)  # E: FC308 "a JobSet restarts its gang at once"
    @kubernetes(hostname_resolution_timeout=30)  # E: FC308 "a wait for the control node's hostname"
    @parallel
    @step
    def train(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.xs = [1, 2]
        self.next(self.split)

    @step
    def split(self):
        self.next(self.fan, foreach="xs")

    @step
    def fan(self):
        self.next(self.inner, num_parallel=2)

    @parallel
    @step
    def inner(self):  # E: FC301 "@parallel step 'inner' inside a foreach"
        self.next(self.inner_join)

    @step
    def inner_join(self, inputs):
        self.next(self.fan_join)

    @step
    def fan_join(self, inputs):
        self.xs = []
        self.next(self.end)

    @step
    def end(self):
        pass
