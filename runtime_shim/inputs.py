"""Resolving a task's input rule against the datastore (the table in docs/architecture.md)."""

from __future__ import annotations

from runtime_shim.datastore.layout import task_key

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from runtime_shim.datastore.layout import ArtifactRef, FlowDatastore
    from runtime_shim.flowspec import Frame


class InputError(RuntimeError):
    """An input task is missing or not committed: the engine ran this task too early."""


class ParentTask:
    """A committed input task: its commit record and artifact refs."""

    __slots__ = ("record", "refs", "step", "task")

    def __init__(
        self, step: str, task: str, record: dict[str, Any], refs: dict[str, ArtifactRef]
    ) -> None:
        self.step = step
        self.task = task
        self.record = record
        self.refs = refs

    @property
    def frames(self) -> list[Frame]:
        return [tuple(f) for f in self.record.get("frames", [])]


class ResolvedInputs:
    __slots__ = ("frames", "is_join", "parents")

    def __init__(self, parents: list[ParentTask], frames: list[Frame], is_join: bool) -> None:
        self.parents = parents
        self.frames = frames
        self.is_join = is_join


def child_path(index_path: str, k: int) -> str:
    return f"{index_path}.{k}" if index_path else str(k)


def split_path(index_path: str) -> tuple[str, int]:
    parent, _, last = index_path.rpartition(".")
    if not last:
        raise InputError("an 'enter' step needs a non-empty --index-path")
    return parent, int(last)


def latest_iteration(
    ds: FlowDatastore, run: str, step: str, index_path: str
) -> tuple[str, dict[str, Any]] | None:
    """The highest committed iteration of ``step`` at ``index_path`` (recursive steps)."""
    found: tuple[str, dict[str, Any]] | None = None
    k = 0
    while True:
        key = task_key(index_path, k)
        record = ds.committed(run, step, key)
        if record is None:
            return found
        found = (key, record)
        if record.get("switch_target") != step:
            return found
        k += 1


def _load(
    ds: FlowDatastore, run: str, step: str, index_path: str, exact: str | None = None
) -> ParentTask | None:
    if exact is not None:
        record = ds.committed(run, step, exact)
        if record is None:
            return None
        key = exact
    else:
        hit = latest_iteration(ds, run, step, index_path)
        if hit is None:
            return None
        key, record = hit
    return ParentTask(step, key, record, ds.artifacts(run, step, key, record))


def _require(task: ParentTask | None, step: str, index_path: str) -> ParentTask:
    if task is None:
        raise InputError(f"input task {step}/{task_key(index_path)} is not committed")
    return task


def _leads_to(task: ParentTask, step: str) -> bool:
    """A switch step that picked another case is committed but is not this step's input.

    This matters when a case goes straight to the merge step: the switch step is then both
    a parent of the merge and (through the other case) an ancestor of its other parent.
    """
    target = task.record.get("switch_target")
    return target is None or target == step


def _one_of(
    ds: FlowDatastore, run: str, step: str, parents: list[str], index_path: str
) -> ParentTask:
    """The one committed task among ``parents`` at ``index_path`` that leads to ``step``."""
    if len(parents) == 1:
        return _require(_load(ds, run, parents[0], index_path), parents[0], index_path)
    found = [
        t
        for t in (_load(ds, run, p, index_path) for p in parents)
        if t is not None and _leads_to(t, step)
    ]
    if len(found) != 1:
        raise InputError(
            f"expected exactly one committed input among {parents} at "
            f"{task_key(index_path)}, found {len(found)}"
        )
    return found[0]


def resolve(
    ds: FlowDatastore, run: str, step: str, rule: str, index_path: str, iteration: int
) -> ResolvedInputs:
    kind, _, names = rule.partition(":")
    # ``a|b`` names alternatives: a switch's paths of which exactly one ran.
    groups = [g.split("|") for g in names.split(",") if g]
    parents = [p for g in groups for p in g]
    if iteration > 0:
        prev = _load(ds, run, step, index_path, exact=task_key(index_path, iteration - 1))
        prev = _require(prev, step, index_path)
        return ResolvedInputs([prev], prev.frames, False)
    if kind == "none":
        return ResolvedInputs([], [], False)
    if kind == "same":
        task = _require(_load(ds, run, parents[0], index_path), parents[0], index_path)
        return ResolvedInputs([task], task.frames, False)
    if kind == "enter":
        outer, position = split_path(index_path)
        task = _require(_load(ds, run, parents[0], outer), parents[0], outer)
        var = task.record.get("foreach_var")
        count = int(task.record.get("foreach_count", 0))
        if var is None or position >= count:
            raise InputError(f"{parents[0]}/{task.task} has no foreach child {position}")
        return ResolvedInputs([task], [*task.frames, (task.step, var, position, count)], False)
    if kind == "join":
        tasks = [_one_of(ds, run, step, group, index_path) for group in groups]
        return ResolvedInputs(tasks, tasks[0].frames, True)
    if kind == "join-foreach":
        first = _one_of(ds, run, step, parents, child_path(index_path, 0))
        count = first.frames[-1][3]
        tasks = [first] + [
            _one_of(ds, run, step, parents, child_path(index_path, k)) for k in range(1, count)
        ]
        return ResolvedInputs(tasks, first.frames[:-1], True)
    if kind == "any":
        found = _one_of(ds, run, step, parents, index_path)
        return ResolvedInputs([found], found.frames, False)
    raise InputError(f"unknown input rule {rule!r}")
