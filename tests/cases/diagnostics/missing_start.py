from metaflow import FlowSpec, step


class MissingStartFlow(FlowSpec):  # E: FC108
    @step
    def begin(self):
        self.next(self.end)

    @step
    def end(self):
        pass
