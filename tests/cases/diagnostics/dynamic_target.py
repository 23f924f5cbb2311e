from metaflow import FlowSpec, step


class DynamicTargetFlow(FlowSpec):
    @step
    def start(self):
        target = self.end
        self.next(target)  # E: FC104

    @step
    def end(self):
        pass
