from metaflow import FlowSpec, step


class CycleToStartFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a)

    @step
    def a(self):
        self.x = 1
        self.next({"again": self.start, "done": self.end}, condition="x")  # E: FC113 "cycle: start -> a -> start"

    @step
    def end(self):
        pass
