from metaflow import FlowSpec, step


class ReservedInputNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.input)

    @step
    def input(self):  # E: FC106
        self.next(self.end)

    @step
    def next(self):  # E: FC106, FC114
        self.next(self.end)

    @step
    def end(self):
        pass
