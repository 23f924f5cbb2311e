"""Step semantics beyond artifact values: retries, @catch, @timeout, merge errors,
parameters."""

from __future__ import annotations

import click
import pytest

from tests.support.runtime import run_local


def test_retry_catch_timeout_environment(workdir: str) -> None:
    from flowc.client import Run

    result = run_local("tests/runtime/flows/resilience.py", cwd=workdir)
    assert result.ok
    run = Run(f"ResilienceFlow/{result.run_id}", datastore=result.datastore)
    start = run["start"].task
    assert start.attempt == 2 and start.data.seen_attempt == 2
    slow = run["slow"].task
    assert slow.caught and not slow.successful
    assert slow.data.timed_out.type.endswith("TimeoutException")
    assert slow.data.before_sleep is True
    broken = run["broken"].task
    assert broken.data.error.type == "builtins.KeyError"
    assert broken.data.partial == "set before the error"
    assert run["env"].task.data.var == "value with spaces"
    assert run["env"].task.data.names == ["ResilienceFlow", "env", 0]


@pytest.mark.parametrize(
    ("mode", "error", "words"),
    [
        ("conflict", "UnhandledInMergeArtifactsException", "conflicting values:\n[value]"),
        ("missing", "MissingInMergeArtifactsException", "[nope] are not present"),
    ],
)
def test_merge_artifacts_errors(workdir: str, mode: str, error: str, words: str) -> None:
    from flowc.client import Run

    result = run_local("tests/runtime/flows/merge_errors.py", ["--mode", mode], cwd=workdir)
    assert not result.ok
    join = Run(f"MergeErrorsFlow/{result.run_id}", datastore=result.datastore)["join"].task
    assert not join.finished
    assert join.exception is not None and join.exception.type.endswith(error)
    assert words in join.exception.exception and error in str(join.exception)
    assert error in join.stderr


def test_parameter_validation_names_the_parameter() -> None:
    from flowc.commands.run import load_ir, parse_parameters

    ir = load_ir("tests/shapes/parameters.py", None)
    with pytest.raises(click.BadParameter) as bad:
        parse_parameters(ir, ["--count", "three"], ())
    assert "--count" in bad.value.format_message() or bad.value.param_hint == "--count"
    with pytest.raises(click.BadParameter):
        parse_parameters(ir, ["--config", "{not json"], ())
    with pytest.raises(click.UsageError, match="--nope"):
        parse_parameters(ir, ["--nope", "1"], ())
    values = parse_parameters(ir, ["--loud", "--count=4", "--ratio", "1e-3"], ("who=x",))
    assert values == {"loud": True, "count": 4, "ratio": 0.001, "who": "x"}
    assert parse_parameters(ir, ["--no-loud"], ()) == {"loud": False}
    assert parse_parameters(ir, ["--loud", "false"], ()) == {"loud": False}


def test_runtime_parameter_errors_fail_the_start_task(workdir: str) -> None:
    from runtime_shim.parameters import Parameter, ParameterError

    p = Parameter("n", default=1)
    assert p.convert("7") == 7
    with pytest.raises(ParameterError, match="'n'"):
        p.convert("x")
    assert Parameter("items", default="a,b", separator=",").default_value() == ["a", "b"]


def test_timeout_hard_kill_then_catch_fallback(workdir: str) -> None:
    """The shim's alarm is ignored, so the runner kills the task at the limit plus a grace
    period; @catch's fallback attempt then records FailureHandledByCatch and commits."""
    from flowc.client import Run

    result = run_local("tests/runtime/flows/stubborn.py", cwd=workdir)
    assert result.ok
    run = Run(f"StubbornFlow/{result.run_id}", datastore=result.datastore)
    start = run["start"].task
    assert start.attempt == 1 and start.caught
    assert start.data.err.type.endswith("FailureHandledByCatch")
    assert run["end"].task.data.caught is True
