import os

from metaflow import (
    FlowMutator,
    FlowSpec,
    StepMutator,
    UserStepDecorator,
    step,
    user_step_decorator,
)


@user_step_decorator
def trace(step_name, flow, inputs, attributes):
    flow.trace = [*getattr(flow, "trace", []), f"{attributes['label']} in"]
    yield
    flow.trace = [*flow.trace, f"{attributes['label']} out"]


@user_step_decorator
def rescue(step_name, flow, inputs):
    try:
        yield
    except ValueError as exc:
        flow.rescued_from = str(exc)


class SkipIt(UserStepDecorator):
    def pre_step(self, step_name, flow, inputs=None):
        self.skip_step = True

    def post_step(self, step_name, flow, exception=None):
        return None, {}  # no exception; call the step's own self.next


class Replace(UserStepDecorator):
    def pre_step(self, step_name, flow, inputs=None):
        def instead(flow_self):
            flow_self.replaced_by = "Replace"
            return True  # then call the self.next the step would have called

        return instead

    def post_step(self, step_name, flow, exception=None):
        return None  # keep what the replacement returned (True: the step's self.next)


class AddCatch(StepMutator):
    def mutate(self, mutable_step):
        mutable_step.add_decorator("catch", deco_kwargs={"var": "caught"})


class EnvEverywhere(FlowMutator):
    def init(self, value):
        self.value = value

    def mutate(self, mutable_flow):
        for _name, mutable_step in mutable_flow.steps:
            mutable_step.add_decorator(
                "environment", deco_kwargs={"vars": {"FROM_MUTATOR": self.value}}
            )


@EnvEverywhere("yes")  # flowc: runtime-mutator
class UserDecoratorsFlow(FlowSpec):
    @trace(label="outer")
    @trace(label="inner")
    @step
    def start(self):
        self.trace = [*self.trace, "body"]
        self.env_seen = os.environ.get("FROM_MUTATOR")
        self.next(self.skipped)

    @SkipIt
    @step
    def skipped(self):
        self.should_not_exist = True
        self.next(self.rescued)

    @rescue
    @step
    def rescued(self):
        raise ValueError("rescued by the decorator")
        self.next(self.mutated)

    @AddCatch  # flowc: runtime-mutator
    @step
    def mutated(self):
        raise KeyError("caught by the @catch a mutator added")
        self.next(self.replaced)

    @Replace
    @step
    def replaced(self):
        self.replaced_by = "the body"
        self.next(self.end)

    @step
    def end(self):
        self.end_env = os.environ.get("FROM_MUTATOR")


if __name__ == "__main__":
    UserDecoratorsFlow()
