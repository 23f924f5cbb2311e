from metaflow import FlowSpec, step


class StepDecoratorArgsFlow(FlowSpec):
    @step(begin=True)  # E: FC128
    def start(self):
        self.next(self.end)

    @step("x")  # E: FC128
    def end(self):
        pass
