from metaflow import FlowSpec, step


class UnjoinedSplitFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.next(self.end)

    @step
    def end(self):  # E: FC115 "the end step is reached before the split"
        pass
