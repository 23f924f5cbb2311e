from metaflow import FlowSpec, step


class ReservedInputNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.input)

    @step
    def input(self):  # E: FC106 "`input` is a reserved name and cannot be a"
        self.next(self.end)

    @step
    def next(self):  # E: FC106 "`next` is a reserved name and cannot be a", FC114 "step `next` cannot be reached from `start`"
        self.next(self.end)

    @step
    def end(self):
        pass
