from metaflow import FlowSpec, step


class MissingEndFlow(FlowSpec):  # E: FC109
    @step
    def start(self):
        self.next(self.finish)

    @step
    def finish(self):  # E: FC102
        pass
