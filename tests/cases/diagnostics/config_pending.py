"""Configs whose parser or default is a function of the flow file: the start task
evaluates them, and a decorator that reads one keeps its source text."""

from metaflow import Config, FlowSpec, config_expr, environment, step


def first_line(text):
    return {"line": text.splitlines()[0]}


def computed(ctx):
    return {"size": 3}


class ConfigPendingFlow(FlowSpec):
    parsed = Config("parsed", default_value="hello", parser=first_line)  # W: FC135 "parser="
    sized = Config("sized", default_value=computed)  # W: FC135 "default_value="
    fixed = Config("fixed", default_value={"name": "x", "n": 2})

    @environment(vars={"SIZE": sized.size})  # W: FC135 "start task evaluates"
    @step
    def start(self):
        self.next(self.end)

    @environment(vars={"NAME": fixed.name, "N": config_expr("str(fixed.n * 2)")})
    @step
    def end(self):
        pass
