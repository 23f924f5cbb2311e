"""Task ids, navigation, metadata, logs, exceptions and timestamps, as Metaflow shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.client.conftest import USER
from tests.support.runtime import run_local


def test_task_ids_are_unique_and_computable(tagged_run: Any) -> None:
    from flowc.client import Run
    from runtime_shim.datastore.layout import task_id, task_key_of

    run = Run(f"TaggedFlow/{tagged_run.run_id}", tagged_run.datastore)
    ids = [t.id for s in run for t in s]
    assert len(ids) == len(set(ids)) == 10
    assert sorted(run["work"].task_ids()) == [f"work.{i}" for i in range(6)]
    for step in run:
        for task in step:
            assert task.pathspec == f"TaggedFlow/{tagged_run.run_id}/{step.id}/{task.id}"
            assert task_id(step.id, task.key) == task.id
            assert task_key_of(step.id, task.id) == task.key
            if "my_id" in task:
                assert task.data.my_id == task.id  # current.task_id is the client's id
    assert run["start"]["_"].id == "start"  # a datastore key still finds the task
    assert task_id("loop", "3.1@2") == "loop.3.1@2" and task_key_of("loop", "loop@2") == "_@2"
    assert task_key_of("loop", "other.1") is None
    with pytest.raises(KeyError):
        run["work"]["work.9"]


def test_navigation(tagged_run: Any) -> None:
    from flowc.client import Flow, Run, Step, Task

    root = tagged_run.datastore
    run = Run(f"TaggedFlow/{tagged_run.run_id}", root)
    assert isinstance(run.parent, Flow) and run.parent.id == "TaggedFlow"
    work = run["work"]
    assert isinstance(work.parent, Run) and work.parent.pathspec == run.pathspec
    assert [s.id for s in work.parent_steps] == ["start"]
    assert [s.id for s in work.child_steps] == ["join"]
    assert [s.id for s in run["start"].parent_steps] == [] and run["end"].child_steps == []
    task = work["work.2"]
    assert isinstance(task.parent, Step) and task.parent.id == "work"
    assert [t.id for t in task.parent_tasks] == ["start"]
    assert [t.id for t in task.child_tasks] == ["join"]
    join = run["join"].task
    assert join is not None
    assert sorted(t.id for t in join.parent_tasks) == [f"work.{i}" for i in range(6)]
    assert len(run["start"].task.child_tasks) == 6  # type: ignore[union-attr]
    assert run.end_task is not None and run.end_task.id == "end"
    assert [s.id for s in run] == ["end", "flaky", "join", "work", "start"]  # newest first
    created = [t.created_at for t in work]
    assert created == sorted(created, reverse=True)  # type: ignore[type-var]
    assert Task(task.pathspec, root).index == 2 and task.index_path == "2"
    assert Task(task.pathspec, root)["my_id"].data == "work.2"


def test_pathspec_constructors(tagged_run: Any) -> None:
    from flowc.client import DataArtifact, Metaflow, Run, Step, Task
    from runtime_shim.exceptions import MetaflowInvalidPathspec, MetaflowNotFound

    root, run_id = tagged_run.datastore, tagged_run.run_id
    artifact = DataArtifact(f"TaggedFlow/{run_id}/join/join/total", root)
    assert artifact.data == 15 and artifact.parent.id == "join"
    assert artifact.created_at == artifact.finished_at == artifact.task.finished_at
    assert Step(f"TaggedFlow/{run_id}/join", root).task.data.total == 15  # type: ignore[union-attr]
    assert "TaggedFlow" in [f.id for f in Metaflow(root).flows]
    with pytest.raises(MetaflowInvalidPathspec, match="Expects Run"):
        Run("TaggedFlow", root)
    with pytest.raises(MetaflowNotFound):
        Run("TaggedFlow/no-such-run", root)
    with pytest.raises(MetaflowNotFound):
        Task(f"TaggedFlow/{run_id}/join/work.1", root)
    with pytest.raises(MetaflowNotFound):
        DataArtifact(f"TaggedFlow/{run_id}/join/join/nope", root)


def test_attempts_metadata_logs_and_timestamps(tagged_run: Any) -> None:
    from flowc.client import Run, Task

    root = tagged_run.datastore
    run = Run(f"TaggedFlow/{tagged_run.run_id}", root)
    flaky = run["flaky"].task
    assert flaky is not None
    assert flaky.current_attempt == 1 and flaky.successful and flaky.finished
    assert sorted(m.value for m in flaky.metadata if m.type == "attempt") == ["0", "1"]
    meta = flaky.metadata_dict
    assert meta["attempt"] == "1" and meta["attempt_ok"] == "True"
    assert meta["user"] == USER and meta["ds-type"] == "local" and meta["origin-run-id"] == "None"
    assert all(m.task is flaky and isinstance(m.created_at, int) for m in flaky.metadata)
    assert [line for _, line in flaky.loglines("stdout")] == ["attempt 1"]
    first = Task(flaky.pathspec, root, attempt=0)
    assert str(first) == f"Task('{flaky.pathspec}', attempt=0)"
    assert first.current_attempt == 0 and not first.finished and first.stdout == "attempt 0\n"
    assert first.exception is not None and "first attempt fails" in first.exception.exception
    assert [m.value for m in first.metadata if m.name == "attempt_ok"] == ["False"]
    assert flaky.exception is None
    assert isinstance(run.created_at, datetime) and isinstance(flaky.finished_at, datetime)
    assert flaky.created_at is not None and flaky.created_at < flaky.finished_at
    assert run.finished_at == run.end_task.finished_at  # type: ignore[union-attr]


def test_failed_task_exception(workdir: str) -> None:
    from flowc.client import Run

    done = run_local("tests/client/flows/broken.py", cwd=workdir)
    assert not done.ok
    run = Run(f"BrokenFlow/{done.run_id}", done.datastore)
    end = run["end"].task
    assert end is not None and not end.finished and not end.successful
    assert end.exception is not None
    assert end.exception.type == "builtins.KeyError"
    assert end.exception.exception == "'Something has gone wrong'"
    assert "KeyError" in str(end.exception)
    assert not run.successful and run.finished_at == end.finished_at  # as in Metaflow


def test_resumed_run_origin_and_clone_metadata(workdir: str) -> None:
    from flowc.client import Run

    first = run_local("tests/shapes/foreach.py", cwd=workdir)
    second = run_local(
        "tests/shapes/foreach.py", cwd=workdir, origin=first.run_id, resume_step="join"
    )
    run = Run(f"ForeachFlow/{second.run_id}", second.datastore)
    assert run.origin_pathspec == f"ForeachFlow/{first.run_id}"
    work = run["work"]
    assert work.origin_pathspec == f"ForeachFlow/{first.run_id}/work"
    clone = work["work.1"]
    assert clone.origin_pathspec == f"ForeachFlow/{first.run_id}/work/work.1"
    meta = clone.metadata_dict
    assert meta["origin-run-id"] == first.run_id and meta["origin-task-id"] == "work.1"
    original = Run(f"ForeachFlow/{first.run_id}", first.datastore)["work"]["work.1"].metadata_dict
    ignored = {"origin-run-id", "origin-task-id"}
    assert {k: v for k, v in meta.items() if k not in ignored} == {
        k: v for k, v in original.items() if k not in ignored
    }
    rerun = run["join"].task
    assert rerun is not None and rerun.origin_pathspec is None
    assert rerun.metadata_dict["origin-run-id"] == first.run_id
    assert "origin-task-id" not in rerun.metadata_dict
