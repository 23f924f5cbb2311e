from flowc import FlowSpec, Parameter, project, schedule, step


@project(name="deploy_e2e")
@schedule(cron="0 6 * * *")
class DeployedFlow(FlowSpec):
    """A scheduled foreach flow with parameters, deployed and triggered on Step Functions."""

    width = Parameter("width", default=3, type=int, help="How many children")
    who = Parameter("who", default="world", help="Who to greet")

    @step
    def start(self):
        self.items = list(range(self.width))
        self.next(self.square, foreach="items")

    @step
    def square(self):
        self.value = self.input * self.input
        self.next(self.join)

    @step
    def join(self, inputs):
        self.total = sum(i.value for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        self.greeting = f"hello {self.who}: {self.total}"


if __name__ == "__main__":
    DeployedFlow()
