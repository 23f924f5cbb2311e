from metaflow import FlowSpec, step


class InvalidTransitionsFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1]
        self.next(self.a, self.b, foreach="items")  # E: FC105 "a foreach transition has exactly one"

    @step
    def a(self):
        self.next(self.c, foreach=self.items)  # E: FC105 "foreach= must name an artifact as a string"

    @step
    def b(self):
        self.next(self.c, bogus=1)  # E: FC105 "self.next() does not take `bogus=1`"

    @step
    def c(self):
        self.next()  # E: FC105 "self.next() needs at least one target step"

    @step
    def d(self):
        self.next(self.end, num_parallel=0)  # E: FC105 "num_parallel must be a positive integer"

    @step
    def end(self):
        pass
