"""A task's metadata events, named and typed as Metaflow records them.

flowc keeps one ``meta.json`` per attempt; the events are derived from it and from the
run record: ``attempt`` when an attempt starts, ``attempt-done`` and ``attempt_ok`` (type
``internal_attempt_status``) when it ends, and the run's ``user``, ``runtime``,
``python_version``, ``ds-type``, ``ds-root`` and ``origin-run-id``, and
``internal_task_type`` for the control task of a ``@parallel`` gang. A task cloned by
resume shows its origin's events plus ``origin-run-id`` and ``origin-task-id``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runtime_shim.datastore.layout import task_id
from runtime_shim.parallel import CONTROL_TASK_FIELD

if TYPE_CHECKING:
    from flowc.client._task import Metadata, Task


def _millis(seconds: Any) -> int:
    return int(float(seconds) * 1000) if seconds is not None else 0


def _system_values(task: Task) -> dict[str, str]:
    """``user``, ``runtime`` and ``python_version`` from the run's system tags."""
    values = {}
    for tag in task.system_tags:
        name, _, value = tag.partition(":")
        if name in ("user", "runtime", "python_version"):
            values[name] = value
    return values


def task_metadata(task: Task) -> list[Metadata]:
    from flowc.client._task import Metadata, Task

    def event(name: str, value: Any, when: int, kind: str | None = None) -> Metadata:
        return Metadata(name=name, value=value, created_at=when, type=kind or name, task=task)

    origin = task._cloned_from
    if origin is not None:
        run, step, key = origin.split("/")
        source = Task(
            f"{task.flow_name}/{run}/{step}/{task_id(step, key)}",
            _ds=task._ds,
            _namespace_check=False,
        )
        inherited = [
            m._replace(task=task)
            for m in source.metadata
            if m.name not in ("origin-run-id", "origin-task-id")
        ]
        when = max((m.created_at for m in inherited), default=0)
        return [
            *inherited,
            event("origin-run-id", run, when),
            event("origin-task-id", source.id, when),
        ]

    store = task._ds.store
    common = {
        **_system_values(task),
        "ds-type": "s3" if store.url.startswith("s3://") else "local",
        "ds-root": store.url,
        "origin-run-id": str(task._run_object.origin_run_id),
    }
    attempts = [task._attempt] if task._attempt is not None else task._attempts
    events: list[Metadata] = []
    for attempt in attempts:
        meta = task._meta(attempt)
        started = _millis(meta.get("started"))
        events.extend(event(name, value, started) for name, value in common.items())
        events.append(event("attempt", str(attempt), started))
        if CONTROL_TASK_FIELD in meta:  # node 0 of a @parallel gang
            events.append(event(CONTROL_TASK_FIELD, meta[CONTROL_TASK_FIELD], started))
        if meta.get("finished") is not None:
            finished = _millis(meta["finished"])
            ok = meta.get("status") in ("ok", "caught")
            events.append(event("attempt_ok", str(ok), finished, "internal_attempt_status"))
            events.append(event("attempt-done", str(attempt), finished))
    return events
