from metaflow import FlowSpec, step


class EndIsJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self, inputs):  # E: FC112 "the end step `end` cannot be a join (it"
        pass
