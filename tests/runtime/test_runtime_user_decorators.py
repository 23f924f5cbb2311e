"""Mutators and user step decorators run inside the task (runtime_shim.user_decorators)."""

from __future__ import annotations

import pytest

from tests.support.runtime import run_local


@pytest.mark.parametrize("executor", ["fork", "subprocess"])
def test_user_decorators_wrap_skip_rescue_and_replace(workdir: str, executor: str) -> None:
    from flowc.client import Run

    result = run_local("tests/runtime/flows/user_decorators.py", cwd=workdir, executor=executor)
    assert result.ok
    run = Run(f"UserDecoratorsFlow/{result.run_id}", datastore=result.datastore)
    start = run["start"].task.data
    # Written first is outermost: its pre_step runs first and its post_step last.
    assert start.trace == ["outer in", "inner in", "body", "inner out", "outer out"]
    # The FlowMutator (with an argument) added @environment to every step.
    assert start.env_seen == "yes" and run["end"].task.data.end_env == "yes"
    assert "should_not_exist" not in run["skipped"].task.artifact_names()
    assert run["rescued"].task.data.rescued_from == "rescued by the decorator"
    mutated = run["mutated"].task
    assert mutated.caught
    assert mutated.data.caught.type == "builtins.KeyError"
    assert run["replaced"].task.data.replaced_by == "Replace"


def test_mutable_step_reads_and_edits_decorators() -> None:
    from runtime_shim.api import catch, retry, step
    from runtime_shim.mutable import MutableStep, parse_decorator_spec
    from runtime_shim.user_decorators import UserStepDecorator

    class Marker(UserStepDecorator):
        pass

    class Steps:
        @Marker
        @retry(times=2)
        @step
        def start(self) -> None:
            pass

    # A bare user decorator stays in the class body and presents itself as the step.
    mutable = MutableStep(Steps, "start", Steps.start, "test")
    assert mutable.has_decorator("retry") and mutable.has_decorator("Marker")
    assert mutable.add_decorator(retry, deco_kwargs={"times": 5}) is None  # IGNORE
    assert mutable.add_decorator("retry:times=4", duplicates=MutableStep.OVERRIDE) == {
        "times": 4,
        "minutes_between_retries": 2,
    }
    assert mutable.add_decorator(catch, deco_kwargs={"var": "err"})["var"] == "err"
    specs = {name: kwargs for name, _full, _args, kwargs in mutable.decorator_specs()}
    assert specs["retry"]["times"] == 4 and "Marker" in specs
    assert mutable.remove_decorator("Marker") and not mutable.has_decorator("Marker")
    assert not mutable.remove_decorator("timeout")
    assert parse_decorator_spec('environment:vars={"A": "1"},x=2') == (
        "environment",
        {"vars": {"A": "1"}, "x": 2},
    )


def test_user_step_decorator_rejects_what_metaflow_rejects() -> None:
    from runtime_shim.exceptions import MetaflowException
    from runtime_shim.user_decorators import user_step_decorator

    with pytest.raises(MetaflowException, match="generator functions"):
        user_step_decorator(lambda step_name, flow, inputs: None)

    def two(step_name, flow):  # type: ignore[no-untyped-def]
        yield

    with pytest.raises(MetaflowException, match="3 or 4"):
        user_step_decorator(two)
