from metaflow import FlowSpec, step


class StepDecoratorArgsFlow(FlowSpec):
    @step(begin=True)  # E: FC128 "@step(begin=True) is not supported"
    def start(self):
        self.next(self.end)

    @step("x")  # E: FC128 "@step takes keyword arguments only"
    def end(self):
        pass
