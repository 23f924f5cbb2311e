from metaflow import FlowSpec, current, parallel, step


class GangFlow(FlowSpec):
    """A @parallel step run as a gang of three nodes, then joined."""

    @step
    def start(self):
        self.seen_parallel = current.is_parallel
        self.next(self.gang, num_parallel=3)

    @parallel
    @step
    def gang(self):
        self.node = current.parallel.node_index
        self.nodes = current.parallel.num_nodes
        self.control = current.parallel.control_task_id
        self.main_ip = current.parallel.main_ip
        self.is_gang = current.is_parallel
        self.given = self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        self.gathered = sorted(
            (i.node, i.nodes, i.given, i.control, i.main_ip, i.is_gang) for i in inputs
        )
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    GangFlow()
