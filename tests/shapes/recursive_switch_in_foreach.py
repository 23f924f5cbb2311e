from metaflow import FlowSpec, step


class RecursiveSwitchInForeachFlow(FlowSpec):
    """Each foreach task loops a different number of times."""

    @step
    def start(self):
        self.limits = [1, 3, 2]
        self.next(self.prepare, foreach="limits")

    @step
    def prepare(self):
        self.limit = self.input
        self.count = 0
        self.next(self.loop)

    @step
    def loop(self):
        self.count += 1
        self.state = "more" if self.count < self.limit else "stop"
        self.next({"more": self.loop, "stop": self.after}, condition="state")

    @step
    def after(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.counts = [i.count for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        self.result = {"counts": self.counts}


if __name__ == "__main__":
    RecursiveSwitchInForeachFlow()
