from metaflow import FlowSpec, step


class ForeachInSwitchFlow(FlowSpec):
    """The chosen case of a switch runs a foreach."""

    @step
    def start(self):
        self.route = "many"
        self.next({"many": self.many, "none": self.none_case}, condition="route")

    @step
    def many(self):
        self.things = [10, 20, 30]
        self.next(self.each, foreach="things")

    @step
    def each(self):
        self.doubled = self.input * 2
        self.next(self.each_join)

    @step
    def each_join(self, inputs):
        self.collected = [i.doubled for i in inputs]
        self.next(self.merge)

    @step
    def none_case(self):
        self.collected = []
        self.next(self.merge)

    @step
    def merge(self):
        self.next(self.end)

    @step
    def end(self):
        self.result = {"collected": self.collected}


if __name__ == "__main__":
    ForeachInSwitchFlow()
