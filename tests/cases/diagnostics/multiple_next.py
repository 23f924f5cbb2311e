from metaflow import FlowSpec, step


class MultipleNextFlow(FlowSpec):
    @step
    def start(self):
        if self.x:
            self.next(self.a)
        self.next(self.end)  # E: FC103 "step `start` calls self.next more than"

    @step
    def a(self):
        self.next(self.end)

    @step
    def end(self):
        pass
