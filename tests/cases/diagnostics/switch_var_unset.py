from metaflow import FlowSpec, step


class SwitchVarUnsetFlow(FlowSpec):
    @step
    def start(self):
        self.next({"a": self.a, "b": self.end}, condition="mode")  # W: FC127 "switch on `mode`, but no step sets"

    @step
    def a(self):
        self.next(self.end)

    @step
    def end(self):
        pass
