from metaflow import FlowSpec, step


class InvalidTransitionsFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1]
        self.next(self.a, self.b, foreach="items")  # E: FC105

    @step
    def a(self):
        self.next(self.c, foreach=self.items)  # E: FC105

    @step
    def b(self):
        self.next(self.c, bogus=1)  # E: FC105

    @step
    def c(self):
        self.next()  # E: FC105

    @step
    def d(self):
        self.next(self.end, num_parallel=0)  # E: FC105

    @step
    def end(self):
        pass
