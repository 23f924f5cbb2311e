from metaflow import FlowSpec, step


class FirstFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


class SecondFlow(FlowSpec):  # E: FC003 "this file defines several flows"
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
