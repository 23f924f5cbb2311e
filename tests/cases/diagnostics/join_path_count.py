from metaflow import FlowSpec, step


class JoinPathCountFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b, self.c)

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step
    def c(self):
        self.next(self.join2)

    @step
    def join(self, inputs):  # E: FC116 "join `join` receives 2 path(s) (a, b) but"
        self.next(self.join2)

    @step
    def join2(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
