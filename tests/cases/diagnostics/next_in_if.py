from metaflow import FlowSpec, step


class NextInIfFlow(FlowSpec):
    @step
    def start(self):
        self.x = 1
        if self.x:
            self.next(self.end)  # E: FC125 "self.next in step `start` must be the"

    @step
    def end(self):
        pass
