from metaflow import FlowSpec, step


class NextInLoopFlow(FlowSpec):
    @step
    def start(self):
        for _ in range(1):
            self.next(self.end)  # E: FC125 "self.next in step `start` must be the"

    @step
    def end(self):
        pass
