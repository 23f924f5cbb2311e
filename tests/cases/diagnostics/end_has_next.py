from metaflow import FlowSpec, step


class EndHasNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        self.next(self.start)  # E: FC111 "the end step `end` must not call self.next"
