from flowc import FlowSpec, Parameter, step


class DashedParamsFlow(FlowSpec):
    """Parameter names with dashes: the execution input uses them as they are."""

    max_items = Parameter("max-items", default=3)
    run_label = Parameter("run-label", required=True)

    @step
    def start(self):
        self.summary = f"{self.run_label}:{self.max_items}"
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    DashedParamsFlow()
