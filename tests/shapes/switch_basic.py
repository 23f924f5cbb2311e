from metaflow import FlowSpec, step


class SwitchBasicFlow(FlowSpec):
    """A switch chooses one of two steps; they merge in a plain step."""

    @step
    def start(self):
        self.mode = "fast"
        self.next({"fast": self.fast, "slow": self.slow}, condition="mode")

    @step
    def fast(self):
        self.speed = 10
        self.next(self.merge)

    @step
    def slow(self):
        self.speed = 1
        self.next(self.merge)

    @step
    def merge(self):
        self.summary = f"{self.mode}:{self.speed}"
        self.next(self.end)

    @step
    def end(self):
        self.result = {"summary": self.summary}


if __name__ == "__main__":
    SwitchBasicFlow()
