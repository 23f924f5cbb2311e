from metaflow import FlowSpec, step


class MissingNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.middle)

    @step
    def middle(self):  # E: FC102 "step `middle` does not end with"
        self.x = 1

    @step
    def end(self):
        pass
