from metaflow import FlowSpec, step


class Broken(FlowSpec):
    @step
    def start(self)  # E: FC001 "syntax error: expected ':'"
        self.next(self.end)
