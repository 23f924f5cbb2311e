from metaflow import FlowSpec, step


class MissingStartFlow(FlowSpec):  # E: FC108 "the flow `MissingStartFlow` has no start"
    @step
    def begin(self):
        self.next(self.end)

    @step
    def end(self):
        pass
