from metaflow import FlowSpec, step


class Broken(FlowSpec):
    @step
    def start(self)  # E: FC001
        self.next(self.end)
