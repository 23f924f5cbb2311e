"""Configs read in steps, in decorator arguments and in a parameter default."""

from flowc import Config, FlowSpec, Parameter, config_expr, environment, project, step

defaults = {"workers": 2, "mode": "fast"}


def upper_lines(text):
    return {"lines": [line.upper() for line in text.splitlines()]}


def computed(ctx):
    return {"flow": ctx.flow_name, "name": ctx.parameter_name, "configs_none": ctx.configs is None}


def doubled(ctx):
    return ctx.configs.run.workers * 2


@project(name=config_expr("settings.model.name.lower()"))
class ConfiguredFlow(FlowSpec):
    settings = Config("settings", default="settings.json")
    run = Config("run", default_value=defaults)
    notes = Config("notes", default_value="one\ntwo", parser=upper_lines)
    made = Config("made", default_value=computed)
    env = Config("env", default_value={"vars": {"MODE": "fast"}})
    workers = Parameter("workers", default=run.workers)
    double = Parameter("double", default=doubled, type=int)
    LIMIT = 7

    @environment(
        vars={"REGION": settings.region, "LAYERS": config_expr("str(settings.model.layers)")}
    )
    @step
    def start(self):
        import os

        from flowc import current

        self.seen = {
            "region": os.environ["REGION"],
            "layers": os.environ["LAYERS"],
            "attr": self.settings.model.layers,
            "item": self.settings["model"]["name"],
            "mixed": self.settings.model["name"],
            "project": current.project_name,
            "notes": list(self.notes.lines),
            "made": dict(self.made),
        }
        self.errors = []
        for attempt in (
            lambda: self.settings.__setitem__("region", "x"),
            lambda: setattr(self.settings.model, "layers", 1),
            lambda: setattr(self, "workers", 9),
            lambda: setattr(self, "LIMIT", 8),
            lambda: setattr(self, "settings", {}),
        ):
            try:
                attempt()
            except (TypeError, AttributeError) as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
        self.next(self.end)

    @environment(**env)
    @step
    def end(self):
        import os

        self.env_mode = os.environ["MODE"]
        self.total = self.workers + self.LIMIT
