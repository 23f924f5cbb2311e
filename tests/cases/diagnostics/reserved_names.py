from metaflow import FlowSpec, step


class ReservedNamesFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.name, self.index, self.cmd)

    @step
    def name(self):  # E: FC106 "`name` is a reserved name and cannot be a"
        self.next(self.join)

    @step
    def index(self):  # E: FC106 "`index` is a reserved name and cannot be a"
        self.next(self.join)

    @step
    def cmd(self):  # E: FC106 "`cmd` is a reserved name and cannot be a"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
