from flowc import FlowSpec, parallel, step


class ParallelFlow(FlowSpec):
    """num_parallel (gang-scheduled steps) has no Step Functions equivalent."""

    @step
    def start(self):
        self.next(self.train, num_parallel=2)

    @parallel
    @step
    def train(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ParallelFlow()
