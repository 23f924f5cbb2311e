from metaflow import FlowSpec, step


class ForeachIntoJoinFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.join, foreach="items")  # E: FC120 "the foreach in `start` leads directly to"

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
