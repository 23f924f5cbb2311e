from metaflow import FlowMutator, FlowSpec, StepMutator, UserStepDecorator, step, user_step_decorator


class AddsRetry(StepMutator):
    def mutate(self, mutable_step):
        mutable_step.add_decorator("retry", deco_kwargs={"times": 2})


class AddsMoreRetry(AddsRetry):
    pass


class Everywhere(FlowMutator):
    def mutate(self, mutable_flow):
        for _name, mutable_step in mutable_flow.steps:
            mutable_step.add_decorator("environment", deco_kwargs={"vars": {"A": "1"}})


class Timed(UserStepDecorator):
    def pre_step(self, step_name, flow, inputs=None):
        flow.started = True


@user_step_decorator
def logged(step_name, flow, inputs):
    yield


@Everywhere  # E: FC460 "`@Everywhere` is a FlowMutator"
class MutatedFlow(FlowSpec):
    @AddsMoreRetry  # E: FC460 "is a StepMutator"
    @AddsRetry(2)  # flowc: runtime-mutator  # W: FC461 "the task applies what it changes"
    @Timed  # N: FC462 "wraps the step inside the task"
    @logged(level=1)  # N: FC462 "`@logged(level=1)` is a user step decorator"
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
