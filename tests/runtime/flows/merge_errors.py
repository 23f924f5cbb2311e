from metaflow import FlowSpec, Parameter, step


class MergeErrorsFlow(FlowSpec):
    """merge_artifacts failures: an unresolved conflict, a missing include."""

    mode = Parameter("mode", default="conflict")

    @step
    def start(self):
        self.common = 1
        self.next(self.left, self.right)

    @step
    def left(self):
        self.value = "left"
        self.next(self.join)

    @step
    def right(self):
        self.value = "right"
        self.next(self.join)

    @step
    def join(self, inputs):
        if self.mode == "conflict":
            self.merge_artifacts(inputs)
        elif self.mode == "missing":
            self.merge_artifacts(inputs, include=["common", "nope"])
        else:
            self.value = "+".join(sorted(i.value for i in inputs))
            self.merge_artifacts(inputs)
        self.next(self.end)

    @step
    def end(self):
        self.result = [self.common, self.value]


if __name__ == "__main__":
    MergeErrorsFlow()
