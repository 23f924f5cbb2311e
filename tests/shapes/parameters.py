from flowc import FlowSpec, JSONType, Parameter, step


class ParametersFlow(FlowSpec):
    """Parameters of every type reach every step."""

    who = Parameter("who", default="world", help="Who to greet")
    count = Parameter("count", default=3, type=int, help="How many times")
    ratio = Parameter("ratio", default=0.25, help="A float")
    loud = Parameter("loud", default=False, type=bool, help="Shout")
    config = Parameter("config", default='{"layers": [1, 2]}', type=JSONType, help="JSON")

    @step
    def start(self):
        self.greeting = ("hello " + self.who) * self.count
        self.next(self.end)

    @step
    def end(self):
        text = self.greeting.upper() if self.loud else self.greeting
        self.result = {
            "text": text,
            "ratio": self.ratio,
            "layers": self.config["layers"],
            "count": self.count,
        }


if __name__ == "__main__":
    ParametersFlow()
