"""History events of an execution, counted on the emitted definition, and the fan-out
limits they and ``States.ArrayRange`` set.

A Standard execution ends when its history reaches 25,000 events. Every state a run
visits adds a fixed number of events; an inline Map's iterations (and every state inside
them) land in the same history, while a distributed Map runs each child as a child
execution with its own history and adds a fixed number of events to the parent's. The
per-state figures below are the ones AWS documents and moto's interpreter records (the
test ``tests/stepfunctions/test_sfn_history.py`` runs machines and compares the count of
their real histories with :func:`count_events`):

- ``Task``: ``TaskStateEntered``, ``TaskScheduled``, ``TaskStarted``, ``TaskSucceeded``,
  ``TaskStateExited``; a ``.sync`` or ``.waitForTaskToken`` task (every step's task) adds
  ``TaskSubmitted``;
- ``Pass``, ``Choice``, ``Wait``, ``Succeed``, ``Fail``: entered and exited;
- ``Parallel``: entered, started, succeeded, exited, plus its branches;
- inline ``Map``: entered, started, succeeded, exited, plus ``MapIterationStarted`` and
  ``MapIterationSucceeded`` and the body's events per item;
- distributed ``Map``: the four above plus ``MapRunStarted`` and ``MapRunSucceeded``;
- the execution itself: ``ExecutionStarted`` and ``ExecutionSucceeded``.

The count is an upper bound for one attempt of every task: both cases of a choice count,
a recursive switch counts one iteration, and each retry of a task adds its scheduled,
started, submitted and failed events again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backends.fanout import FanOut
from flowc import codes
from flowc.diagnostics import Diagnostic, diag

HISTORY_LIMIT = 25_000
ARRAY_RANGE_LIMIT = 1_000  # items States.ArrayRange makes (the inline Map's items)
EXECUTION_EVENTS = 2
STATE_EVENTS = {"Task": 5, "Pass": 2, "Choice": 2, "Wait": 2, "Succeed": 2, "Fail": 2}
WAITING_TASK_EVENTS = 6  # a .sync or .waitForTaskToken task: TaskSubmitted as well
PARALLEL_EVENTS = 4
MAP_EVENTS = 4
MAP_ITERATION_EVENTS = 2
MAP_RUN_EVENTS = 2  # MapRunStarted, MapRunSucceeded (distributed)
_WAITING = (".sync", ".waitForTaskToken")


@dataclass(frozen=True)
class HistoryCount:
    """Events of the execution's own history and of its largest child execution (0
    without a distributed Map)."""

    execution: int
    largest_child: int


def count_events(definition: Mapping[str, Any], widths: Mapping[str, int]) -> HistoryCount:
    """The events of one run of ``definition``; ``widths`` gives the items of each Map
    state by name (a Map not in it counts one item)."""
    own, child = _scope(definition, widths)
    return HistoryCount(EXECUTION_EVENTS + own, child)


def _scope(scope: Mapping[str, Any], widths: Mapping[str, int]) -> tuple[int, int]:
    own = child = 0
    for name, state in scope["States"].items():
        kind = state["Type"]
        if kind == "Parallel":
            own += PARALLEL_EVENTS
            for branch in state["Branches"]:
                events, inner = _scope(branch, widths)
                own, child = own + events, max(child, inner)
        elif kind == "Map":
            processor = state["ItemProcessor"]
            events, inner = _scope(processor, widths)
            child = max(child, inner)
            if processor["ProcessorConfig"]["Mode"] == "DISTRIBUTED":
                own += MAP_EVENTS + MAP_RUN_EVENTS
                child = max(child, EXECUTION_EVENTS + events)
            else:
                own += MAP_EVENTS + widths.get(name, 1) * (MAP_ITERATION_EVENTS + events)
        elif kind == "Task" and str(state.get("Resource", "")).endswith(_WAITING):
            own += WAITING_TASK_EVENTS
        else:
            own += STATE_EVENTS.get(kind, 2)
    return own, child


def check_fan_outs(
    definition: Mapping[str, Any], map_states: Mapping[str, FanOut], map_mode: str
) -> list[Diagnostic]:
    """FC309 for an inline Map over more items than ``States.ArrayRange`` makes, and for
    an execution (or child execution) whose history would pass 25,000 events."""
    out = []
    if map_mode == "inline":
        for fan in map_states.values():
            if fan.width > ARRAY_RANGE_LIMIT:
                out.append(
                    diag(
                        codes.FC309_SFN_ITEMS,
                        f"{fan.described()}: an inline Map's items come from "
                        f"States.ArrayRange, which makes at most {ARRAY_RANGE_LIMIT:,}",
                        fan.span,
                        "compile with --option map_mode=distributed: the distributed Map "
                        "reads the split's positions from S3, with no such cap",
                    )
                )
    if not map_states:
        return out
    counted = count_events(definition, {name: f.width for name, f in map_states.items()})
    widest = max(map_states.values(), key=lambda f: f.width)
    for events, which in ((counted.execution, "execution"), (counted.largest_child, "child")):
        if events <= HISTORY_LIMIT:
            continue
        where = "the execution's" if which == "execution" else "a child execution's"
        out.append(
            diag(
                codes.FC309_SFN_HISTORY,
                f"{widest.described()}: {where} history can reach {events:,} events; "
                f"Step Functions ends a Standard execution at {HISTORY_LIMIT:,}",
                widest.span,
                "compile with --option map_mode=distributed: each child then runs as a "
                "child execution with its own history"
                if map_mode == "inline"
                else "make the foreach narrower or split its body into a separate flow",
            )
        )
    return out
