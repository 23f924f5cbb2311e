from flowc import FlowSpec, Parameter, step


class DeployForeachFlow(FlowSpec):
    """A foreach whose width is a parameter: deployed, triggered and compared with a
    local run."""

    width = Parameter("width", type=int, default=2)
    word = Parameter("word", default="ab")

    @step
    def start(self):
        self.items = [self.word * (i + 1) for i in range(self.width)]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.length = len(self.input)
        self.position = self.index
        self.next(self.join)

    @step
    def join(self, inputs):
        self.lengths = [i.length for i in inputs]
        self.positions = [i.position for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        self.total = sum(self.lengths)
