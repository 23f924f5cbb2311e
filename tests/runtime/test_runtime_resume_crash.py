"""kill -9 in the middle of writing a task's artifacts: nothing partial is visible, and
``resume`` finishes the run reusing the committed tasks by reference."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.support.runtime import run_local

FLOW = "tests/runtime/flows/crash.py"


@pytest.mark.parametrize("executor", ["fork", "subprocess"])
def test_killed_task_is_invisible_and_resume_completes(
    workdir: str, monkeypatch: Any, executor: str
) -> None:
    from flowc.client import Flow, Run
    from runtime_shim.datastore import open_object_store

    marker = os.path.join(workdir, "marker")
    monkeypatch.setenv("CRASH_MARKER", marker)
    first = run_local(FLOW, cwd=workdir, executor=executor)
    assert not first.ok
    assert os.path.exists(marker)  # the kill happened
    run = Run(f"CrashFlow/{first.run_id}", datastore=first.datastore)
    work = {t.index_path: t for t in run["work"]}
    assert {k for k, t in work.items() if t.finished} == {"0", "1", "3"}
    # The kill landed mid-write: some blobs of work/2 exist, but no task refers to them.
    store = open_object_store(first.datastore)
    referenced = {a.sha for step in run for t in step if t.finished for a in t}
    blobs = {k.rsplit("/", 1)[-1] for k in store.list("CrashFlow/blobs")}
    assert blobs - referenced
    assert "join" not in run and not run.finished and run.status == "failed"
    assert not [k for k in store.list("CrashFlow") if ".tmp-" in k]

    second = run_local(FLOW, cwd=workdir, origin=first.run_id, executor=executor)
    assert second.ok
    resumed = Run(f"CrashFlow/{second.run_id}", datastore=first.datastore)
    assert resumed.successful and resumed.origin_run_id == first.run_id
    assert resumed["end"].task.data.result == 60
    assert resumed["join"].task.data.values == [0, 10, 20, 30]
    start = resumed["start"].task
    assert start.origin_pathspec == f"CrashFlow/{first.run_id}/start/start"
    assert start.data.start_pid == run["start"].task.data.start_pid  # reused, not re-run
    assert start["items"].sha == run["start"].task["items"].sha
    assert Flow("CrashFlow", datastore=first.datastore).latest_run.id == second.run_id


def test_resume_from_named_step(workdir: str, monkeypatch: Any) -> None:
    from flowc.client import Run

    marker = os.path.join(workdir, "marker")
    open(marker, "w").close()  # no kill this time
    monkeypatch.setenv("CRASH_MARKER", marker)
    first = run_local(FLOW, cwd=workdir)
    assert first.ok
    second = run_local(FLOW, cwd=workdir, origin=first.run_id, resume_step="join")
    assert second.ok
    old = Run(f"CrashFlow/{first.run_id}", datastore=first.datastore)
    new = Run(f"CrashFlow/{second.run_id}", datastore=first.datastore)
    for t in new["work"]:
        assert t.origin_pathspec == f"CrashFlow/{first.run_id}/work/{t.id}"
    assert new["join"].task.origin_pathspec is None
    assert new["end"].task.data.result == old["end"].task.data.result == 60
