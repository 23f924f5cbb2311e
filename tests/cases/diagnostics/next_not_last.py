from metaflow import FlowSpec, step


class NextNotLastFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)  # E: FC125 "self.next in step `start` must be the"
        self.x = 1

    @step
    def end(self):
        pass
