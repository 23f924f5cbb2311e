import os

from flowc import (
    FlowSpec,
    Parameter,
    current,
    environment,
    kubernetes,
    parallel,
    resources,
    retry,
    step,
)


class ArgoGangFlow(FlowSpec):
    """A @parallel gang on Argo (a JobSet): its width from a parameter, its nodes' first
    attempt failing once so the JobSet restarts the whole gang, and the step's
    decorators reaching every pod."""

    width = Parameter("width", default=3, type=int)

    @step
    def start(self):
        self.next(self.train, num_parallel=self.width)

    @retry(times=1, minutes_between_retries=0)
    @environment(vars={"GANG_COLOUR": "teal"})
    @resources(cpu=2, memory=2048)
    @kubernetes(port=29500, labels={"team": "ml"})
    @parallel
    @step
    def train(self):
        if current.retry_count == 0 and current.parallel.node_index == 1:
            raise RuntimeError("node 1 fails its first attempt")
        self.node = current.parallel.node_index
        self.nodes = current.parallel.num_nodes
        self.control = current.parallel.control_task_id
        self.main_ip = current.parallel.main_ip
        self.attempt = current.retry_count
        self.colour = os.environ.get("GANG_COLOUR")
        self.next(self.join)

    @step
    def join(self, inputs):
        self.gathered = sorted(
            (i.node, i.nodes, i.control, i.main_ip, i.attempt, i.colour) for i in inputs
        )
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ArgoGangFlow()
