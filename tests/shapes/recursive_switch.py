from metaflow import FlowSpec, step


class RecursiveSwitchFlow(FlowSpec):
    """A switch that loops back to its own step until a condition holds."""

    @step
    def start(self):
        self.counter = 0
        self.history = []
        self.next(self.loop)

    @step
    def loop(self):
        self.counter += 1
        self.history = [*self.history, self.counter]
        self.status = "again" if self.counter < 4 else "done"
        self.next({"again": self.loop, "done": self.finish}, condition="status")

    @step
    def finish(self):
        self.next(self.end)

    @step
    def end(self):
        self.result = {"counter": self.counter, "history": self.history}


if __name__ == "__main__":
    RecursiveSwitchFlow()
