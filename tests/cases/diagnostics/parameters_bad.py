from metaflow import FlowSpec, IncludeFile, JSONType, Parameter, step

DEFAULT = 3


class ParametersBadFlow(FlowSpec):
    alpha = Parameter("alpha", default=DEFAULT)  # W: FC202
    beta = Parameter("alpha", default=1)  # E: FC204
    gamma = Parameter("gamma", type=list)  # E: FC205
    delta = Parameter("delta", type=int, default="x")  # E: FC205
    eps = Parameter("eps", type=JSONType, default="{not json")  # E: FC205
    zeta = Parameter(name_of("z"))  # E: FC209
    eta = Parameter("eta", colour="red")  # E: FC206
    start_ = Parameter("tags")  # E: FC204
    data = IncludeFile("data", is_text=True, default="data.txt")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


def name_of(x):
    return x
