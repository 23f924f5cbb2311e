from flowc import FlowSpec, step


class BuiltinNamesFlow(FlowSpec):
    """Steps named like Python builtins and the DAG file's own helpers."""

    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.dict, foreach="items")

    @step
    def dict(self):
        self.v = self.input
        self.next(self.zip)

    @step
    def zip(self, inputs):
        self.vs = [i.v for i in inputs]
        self.next(self.step_task)

    @step
    def step_task(self):
        self.next(self.end)

    @step
    def end(self):
        pass
