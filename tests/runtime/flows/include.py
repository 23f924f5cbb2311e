from metaflow import FlowSpec, IncludeFile, JSONType, Parameter, step


class IncludeFlow(FlowSpec):
    """IncludeFile content and a JSON parameter reach every step."""

    data = IncludeFile("data", default="include_data.txt")
    labels = Parameter("labels", type=JSONType, default="[]")
    scale = Parameter("scale", default=2.5)

    @step
    def start(self):
        self.lines = self.data.splitlines()
        self.next(self.end)

    @step
    def end(self):
        self.result = {"lines": self.lines, "labels": self.labels, "scale": self.scale}


if __name__ == "__main__":
    IncludeFlow()
