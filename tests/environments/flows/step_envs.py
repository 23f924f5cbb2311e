"""Three steps, three environments: termcolor in one, inflection at a pinned version in
another, none in the third (which runs in the image's own interpreter)."""

from metaflow import FlowSpec, pypi, step


def seen() -> dict[str, object]:
    """The version of each test package this step can import (None: not importable)."""
    import importlib.util
    from importlib.metadata import version

    return {
        name: version(name) if importlib.util.find_spec(name) is not None else None
        for name in ("termcolor", "inflection")
    }


class StepEnvsFlow(FlowSpec):
    @pypi(packages={"termcolor": "2.4.0"})
    @step
    def start(self):
        import termcolor

        self.colored = termcolor.colored("ok", "green", force_color=True)
        self.seen = seen()
        self.next(self.middle)

    @pypi(packages={"inflection": "0.5.0"})
    @step
    def middle(self):
        import inflection

        self.word = inflection.camelize("step_envs")
        self.seen = seen()
        self.next(self.end)

    @step
    def end(self):
        self.seen = seen()


if __name__ == "__main__":
    StepEnvsFlow()
