from metaflow import FlowSpec, step


class MethodNotStepFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.helper)  # E: FC101 "`helper` is a method but not a step"

    def helper(self):
        return 1

    @step
    def end(self):
        pass
