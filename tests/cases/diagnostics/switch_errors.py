from metaflow import FlowSpec, step


class SwitchErrorsFlow(FlowSpec):
    @step
    def start(self):
        self.mode = "a"
        self.next({"a": self.a, "b": self.b})  # E: FC105 "a switch needs condition="

    @step
    def a(self):
        self.next({"x": self.end, "x": self.b}, condition="mode")  # E: FC105 "switch case 'x' appears twice"

    @step
    def b(self):
        self.next({"x": self.end, "y": getattr(self, "c")}, condition="mode")  # E: FC104 "switch target `getattr(self,"

    @step
    def c(self):
        self.next({"x": self.end, 1.5: self.b}, condition=self.mode)  # E: FC105 "switch case `1.5` must be a string literal", FC105 "condition= must name an artifact as a"

    @step
    def end(self):
        pass
