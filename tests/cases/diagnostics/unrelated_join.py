from metaflow import FlowSpec, step


class UnrelatedJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.a1, self.a2)

    @step
    def b(self):
        self.next(self.b1, self.b2)

    @step
    def a1(self):
        self.next(self.cross)

    @step
    def b1(self):
        self.next(self.cross)

    @step
    def a2(self):
        self.next(self.end)

    @step
    def b2(self):
        self.next(self.end)

    @step
    def cross(self, inputs):  # E: FC118 "join `cross` joins steps from unrelated"
        self.next(self.end)

    @step
    def end(self):
        pass
