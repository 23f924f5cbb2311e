"""What a Step Functions execution's history says about each task.

A step's Task state is named after the step (``backends/stepfunctions/_naming.py``);
flowc's helper states have a dot in their name and are not tasks. Each entry into a step's
state is one task (a foreach step is entered once per child); its attempts are the
``TaskScheduled`` events that follow the entry, retries included. Every event names the
event it follows (``previousEventId``), so an event belongs to the nearest state entry up
that chain — interleaved Parallel branches and Map iterations included.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from flowc.deploy._model import RunState, TaskStatus

_FAILED = {"TaskFailed": "taskFailedEventDetails", "TaskTimedOut": "taskTimedOutEventDetails"}


def flow_of_definition(definition: str) -> str | None:
    """The flow a deployed definition runs, from the Comment the compiler writes."""
    from backends.stepfunctions._emit import flow_of_comment

    try:
        comment = json.loads(definition).get("Comment", "")
    except ValueError:
        return None
    return flow_of_comment(str(comment))


def task_statuses(
    events: Iterable[dict[str, Any]], run: RunState = RunState.RUNNING
) -> tuple[TaskStatus, ...]:
    """One TaskStatus per entry into a step's Task state, in the order entered; in a
    stopped run (``run`` TERMINATED) the tasks still running were stopped with it."""
    by_id = {int(e["id"]): e for e in events}
    owner: dict[int, int | None] = {}

    def entry_of(event_id: int) -> int | None:
        chain: list[int] = []
        found: int | None = None
        current: int | None = event_id
        while current is not None and current in by_id:
            if current in owner:
                found = owner[current]
                break
            chain.append(current)
            event = by_id[current]
            if event["type"] == "TaskStateEntered":
                found = current
                break
            previous = event.get("previousEventId")
            current = int(previous) if previous else None
        for visited in chain:
            owner[visited] = found
        return found

    tasks: dict[int, dict[str, Any]] = {}
    for event_id in sorted(by_id):
        event = by_id[event_id]
        kind = event["type"]
        if kind == "TaskStateEntered":
            name = str(event["stateEnteredEventDetails"]["name"])
            if "." not in name:
                tasks[event_id] = {"step": name, "attempts": 0, "state": RunState.PENDING}
            continue
        entry = entry_of(event_id)
        task = tasks.get(entry) if entry is not None else None
        if task is None:
            continue
        if kind == "TaskScheduled":
            task["attempts"] += 1
            task["state"], task["detail"] = RunState.RUNNING, ""
        elif kind in _FAILED:
            details = event.get(_FAILED[kind], {})
            task["state"] = RunState.FAILED
            task["detail"] = str(details.get("error") or kind)
        elif kind == "TaskStateExited":
            task["state"] = RunState.SUCCEEDED
    unfinished = (RunState.PENDING, RunState.RUNNING)
    return tuple(
        TaskStatus(
            t["step"],
            RunState.TERMINATED
            if run is RunState.TERMINATED and t["state"] in unfinished
            else t["state"],
            t["attempts"],
            t.get("detail", ""),
        )
        for _, t in sorted(tasks.items())
    )
