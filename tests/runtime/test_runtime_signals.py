"""A task killed by a signal keeps its logs and is recorded as failed; @catch, @retry and
@timeout record the exception types Metaflow records (``runtime_shim.supervisor``)."""

from __future__ import annotations

import pytest

from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.layout import FlowDatastore
from tests.support.runtime import LocalRun, run_local

FLOW = "tests/runtime/flows/signals.py"


def _attempt_meta(result: LocalRun, step: str, attempt: int) -> dict[str, object]:
    ds = FlowDatastore(open_object_store(result.datastore), "SignalsFlow")
    return ds.attempt_meta(result.run_id, step, "_", attempt) or {}


@pytest.mark.parametrize("executor", ["fork", "subprocess"])
def test_killed_attempts_are_recorded_and_caught(workdir: str, executor: str) -> None:
    from flowc.client import Run

    result = run_local(FLOW, cwd=workdir, executor=executor)
    assert result.ok
    run = Run(f"SignalsFlow/{result.run_id}", datastore=result.datastore)
    start = run["start"].task
    # attempts 0 and 1 (@retry(times=1)) were SIGKILLed; @catch's fallback attempt 2
    # does not run the body and records FailureHandledByCatch.
    assert start.data.killed.type == "metaflow.plugins.catch_decorator.FailureHandledByCatch"
    assert _attempt_meta(result, "start", 2)["status"] == "caught"
    for attempt in (0, 1):
        meta = _attempt_meta(result, "start", attempt)
        assert meta["status"] == "failed" and meta["signal"] == 9
        assert "SIGKILL" in str(meta["exception"])
    sleepy = run["sleepy"].task
    assert sleepy.data.slow.type == "metaflow.plugins.timeout_decorator.TimeoutException"
    assert "Step sleepy timed out after 0 hours, 0 minutes, 1 seconds" in str(
        sleepy.data.slow.exception
    )
    raises = run["raises"].task
    assert raises.data.raised.type == "metaflow.exception.MetaflowException"
    assert raises.data.raised.exception == "from the step"


@pytest.mark.parametrize(
    ("crash", "signum", "words"),
    [("segv", 11, "Task failed with a segmentation fault."), ("term", 15, "SIGTERM")],
)
def test_a_task_killed_by_a_signal_keeps_its_logs(
    workdir: str, crash: str, signum: int, words: str
) -> None:
    from flowc.client import Run

    result = run_local(FLOW, ["--crash", crash], cwd=workdir)
    assert not result.ok
    end = Run(f"SignalsFlow/{result.run_id}", datastore=result.datastore)["end"].task
    assert not end.finished
    assert end.stdout == "Crash and burn!\n"
    assert words in end.stderr
    meta = _attempt_meta(result, "end", 0)
    assert meta["status"] == "failed" and meta["signal"] == signum
    if crash == "segv":
        # faulthandler's report names the line of the step that crashed
        assert "Fatal Python error: Segmentation fault" in end.stderr
        assert "signals.py" in end.stderr
