from metaflow import FlowSpec, step


class MethodNotStepFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.helper)  # E: FC101

    def helper(self):
        return 1

    @step
    def end(self):
        pass
