from metaflow import FlowSpec, step


class SwitchInBranchFlow(FlowSpec):
    """One branch of a static split contains a switch."""

    @step
    def start(self):
        self.choice = "up"
        self.next(self.left, self.right)

    @step
    def left(self):
        self.next({"up": self.up, "down": self.down}, condition="choice")

    @step
    def up(self):
        self.v = 1
        self.next(self.left_merge)

    @step
    def down(self):
        self.v = -1
        self.next(self.left_merge)

    @step
    def left_merge(self):
        self.next(self.join)

    @step
    def right(self):
        self.v = 100
        self.next(self.join)

    @step
    def join(self, inputs):
        self.vs = [i.v for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        self.result = {"vs": self.vs}


if __name__ == "__main__":
    SwitchInBranchFlow()
