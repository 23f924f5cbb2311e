from metaflow import FlowSpec, step


class SplitIntoJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.join)  # E: FC129 "a branch of the split in `start` goes"

    @step
    def a(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
