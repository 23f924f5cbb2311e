"""Configs the compiler cannot resolve: each problem at the line that names it."""

from metaflow import Config, FlowSpec, Parameter, config_expr, environment, resources, step

settings = {"workers": 4, "region": "eu"}


class ConfigErrorsFlow(FlowSpec):
    missing_file = Config("missing_file", default="no_such_config.json")  # E: FC131 "cannot be read"
    broken = Config("broken", default_value='{"a": ')  # E: FC132 "not valid JSON"
    needed = Config("needed", required=True)  # E: FC133 "required"
    unnamed = Config(name_of_config)  # E: FC130 "literal name"
    both = Config("both", default="a.json", default_value={})  # E: FC130 "not both"
    opaque = Config("opaque", default_value=settings["workers"])  # E: FC130 "neither a literal"
    cfg = Config("cfg", default_value=settings)
    workers = Parameter("workers", default=cfg.threads)  # E: FC134 "no key 'threads'"

    @environment(vars={"REGION": config_expr("cfg.zone")})  # E: FC134 "no key 'zone'"
    @step
    def start(self):
        self.next(self.end)

    @environment(vars={"N": config_expr("cfg.workers +")})  # E: FC134 "not an expression"
    @resources(cpu=cfg.workers + 1)  # E: FC134 "at class level"
    @step
    def end(self):
        pass
