from flowc import FlowSpec, step


class SwitchNestedInForeachFlow(FlowSpec):
    """A switch inside a case of another switch, inside a foreach."""

    @step
    def start(self):
        self.items = [0, 1, 2, 3, 4, 5]
        self.next(self.route, foreach="items")

    @step
    def route(self):
        self.n = self.input
        self.kind = "small" if self.n < 3 else "big"
        self.next({"small": self.small, "big": self.big}, condition="kind")

    @step
    def small(self):
        self.parity = "even" if self.n % 2 == 0 else "odd"
        self.next({"even": self.even, "odd": self.odd}, condition="parity")

    @step
    def even(self):
        self.out = self.n * 10
        self.next(self.merge_small)

    @step
    def odd(self):
        self.out = self.n * 100
        self.next(self.merge_small)

    @step
    def merge_small(self):
        self.next(self.merge)

    @step
    def big(self):
        self.out = -self.n
        self.next(self.merge)

    @step
    def merge(self):
        self.next(self.collect)

    @step
    def collect(self, inputs):
        self.outs = [i.out for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        self.result = self.outs
