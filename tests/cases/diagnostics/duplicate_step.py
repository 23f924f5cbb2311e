from metaflow import FlowSpec, step


class DuplicateStepFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass

    @step
    def end(self):  # E: FC123 "step `end` is defined twice; the later"
        pass
