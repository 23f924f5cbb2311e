from metaflow import FlowSpec, step


class SelfLoopFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.again)

    @step
    def again(self):
        self.next(self.again)  # E: FC113 "cycle: again"

    @step
    def end(self):  # E: FC114 "step `end` cannot be reached from `start`"
        pass
