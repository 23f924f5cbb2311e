from metaflow import FlowSpec, step


class SwitchIntoJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.mode = "x"
        self.next({"x": self.join, "y": self.a2}, condition="mode")  # E: FC121 "the switch in `a` leads directly to the"

    @step
    def a2(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
