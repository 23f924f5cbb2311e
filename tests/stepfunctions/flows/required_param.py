from flowc import FlowSpec, Parameter, step


class RequiredParamFlow(FlowSpec):
    """A parameter without a default: the execution input must give it."""

    who = Parameter("who", required=True)

    @step
    def start(self):
        self.greeting = "hello " + self.who
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    RequiredParamFlow()
