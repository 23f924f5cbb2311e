from flowc import FlowSpec, step


class FailingFlow(FlowSpec):
    """The middle step raises: the execution must fail and end must not run."""

    @step
    def start(self):
        self.x = 1
        self.next(self.explode)

    @step
    def explode(self):
        raise RuntimeError("deliberate failure")
        self.next(self.end)

    @step
    def end(self):
        self.done = True


if __name__ == "__main__":
    FailingFlow()
