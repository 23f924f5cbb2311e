from metaflow import FlowSpec, IncludeFile, JSONType, Parameter, step

DEFAULT = 3


class ParametersBadFlow(FlowSpec):
    alpha = Parameter("alpha", default=DEFAULT)  # W: FC202 "Parameter `alpha`: default= is not a"
    beta = Parameter("alpha", default=1)  # E: FC204 "parameter name `alpha` is already used by"
    gamma = Parameter("gamma", type=list)  # E: FC205 "parameter `gamma` has type `list`;"
    delta = Parameter("delta", type=int, default="x")  # E: FC205 "the default 'x' of parameter `delta` is"
    eps = Parameter("eps", type=JSONType, default="{not json")  # E: FC205 "the default of JSON parameter `eps` is not"
    zeta = Parameter(name_of("z"))  # E: FC209 "Parameter `zeta` needs a literal name made"
    eta = Parameter("eta", colour="red")  # E: FC206 "Parameter() has no argument `colour`"
    start_ = Parameter("tags")  # E: FC204 "`tags` is a reserved parameter name"
    data = IncludeFile("data", is_text=True, default="data.txt")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


def name_of(x):
    return x
