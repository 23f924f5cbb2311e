from metaflow import FlowSpec, step


class ForeachVarUnsetFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.body, foreach="items")  # W: FC126 "foreach over `items`, but no step sets"

    @step
    def body(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
