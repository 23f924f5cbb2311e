from metaflow import FlowSpec, step


class SelfLoopFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.again)

    @step
    def again(self):
        self.next(self.again)  # E: FC113

    @step
    def end(self):  # E: FC114
        pass
