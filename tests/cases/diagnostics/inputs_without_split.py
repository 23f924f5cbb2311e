from metaflow import FlowSpec, step


class InputsWithoutSplitFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.middle)

    @step
    def middle(self, inputs):  # E: FC117 "step `middle` takes `inputs` like a join,"
        self.next(self.end)

    @step
    def end(self):
        pass
