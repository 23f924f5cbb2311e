from metaflow import FlowSpec, Parameter, step, JSONType


class MiniFlow(FlowSpec):
    alpha = Parameter("alpha", default=0.5)
    cfg = Parameter("cfg", type=JSONType, default='{"k": [1, 2]}')

    @step
    def start(self):
        self.items = [1, 2, 3]
        print("hello from start")
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.sq = self.input * self.input * self.alpha
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.sq for i in inputs)
        self.merge_artifacts(inputs, include=["items"])
        self.next(self.end)

    @step
    def end(self):
        print("total", self.total, self.cfg, self.items)


if __name__ == "__main__":
    MiniFlow()
