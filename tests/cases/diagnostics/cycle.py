from metaflow import FlowSpec, step


class CycleFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a)

    @step
    def a(self):
        self.next(self.b)

    @step
    def b(self):
        self.next(self.a)  # E: FC113 "cycle: a -> b -> a"

    @step
    def end(self):  # E: FC114 "step `end` cannot be reached from `start`"
        pass
