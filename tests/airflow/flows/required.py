from flowc import FlowSpec, Parameter, step


class RequiredParamFlow(FlowSpec):
    """A parameter without a default must be given when the DAG is triggered."""

    person = Parameter("person", required=True, help="Who is asking")

    @step
    def start(self):
        self.greeting = "hi " + self.person
        self.next(self.end)

    @step
    def end(self):
        pass
