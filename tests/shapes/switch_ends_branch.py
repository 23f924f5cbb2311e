from metaflow import FlowSpec, step


class SwitchEndsBranchFlow(FlowSpec):
    """A switch in one branch of a split; its cases end at the join."""

    @step
    def start(self):
        self.choice = "down"
        self.next(self.left, self.right)

    @step
    def left(self):
        self.next({"up": self.up, "down": self.down}, condition="choice")

    @step
    def up(self):
        self.v = 1
        self.next(self.join)

    @step
    def down(self):
        self.v = -1
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
    SwitchEndsBranchFlow()
