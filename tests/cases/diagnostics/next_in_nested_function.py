from metaflow import FlowSpec, step


class NestedFunctionFlow(FlowSpec):
    @step
    def start(self):  # E: FC102 "step `start` does not end with"
        def later():
            self.next(self.end)

        self.callback = later

    @step
    def end(self):
        pass
