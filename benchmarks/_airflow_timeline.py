"""Where a DAG run's time went, from the task instances Airflow's REST API returns.

Airflow stamps every task instance when the scheduler makes it schedulable
(``scheduled_when``), when it hands it to the executor (``queued_when``), when the task
process reports that it runs (``start_date``: after the executor's worker forked the
supervisor and the task process parsed the DAG file) and when it ends (``end_date``).
The gaps between those stamps split a mapped task's cost into the scheduler's part, the
executor's and task runner's start-up, and the task itself (here: the shim subprocess
plus the task runner's own calls to the API server).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Stamps:
    """One task instance's times (seconds since the epoch; None where Airflow has none)."""

    task_id: str
    map_index: int
    state: str
    scheduled: float | None
    queued: float | None
    started: float | None
    ended: float | None


def parse_time(value: Any) -> float | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def stamps(instance: Mapping[str, Any]) -> Stamps:
    """From one item of ``GET .../dagRuns/{run}/taskInstances``."""
    return Stamps(
        task_id=str(instance["task_id"]),
        map_index=int(instance.get("map_index", -1)),
        state=str(instance.get("state")),
        scheduled=parse_time(instance.get("scheduled_when")),
        queued=parse_time(instance.get("queued_when")),
        started=parse_time(instance.get("start_date")),
        ended=parse_time(instance.get("end_date")),
    )


@dataclass(frozen=True)
class MappedTimeline:
    """The mapped task's instances, summarised: how many succeeded, their medians per
    phase, and how long the whole set took from the first start to the last end."""

    count: int
    succeeded: int
    states: dict[str, int]
    scheduled_to_queued: float  # medians, seconds
    queued_to_started: float
    running: float
    span: float  # first start → last end
    first_scheduled_to_last_end: float

    @property
    def per_task(self) -> float:
        """Seconds of the span per task: the rate the deployment ran them at."""
        return self.span / self.count if self.count else 0.0


def _median(values: Iterable[float]) -> float:
    found = list(values)
    return statistics.median(found) if found else float("nan")


def mapped_timeline(instances: Iterable[Stamps], task_id: str) -> MappedTimeline:
    mine = [s for s in instances if s.task_id == task_id]
    states: dict[str, int] = {}
    for s in mine:
        states[s.state] = states.get(s.state, 0) + 1
    done = [s for s in mine if s.started is not None and s.ended is not None]
    starts = [s.started for s in done if s.started is not None]
    ends = [s.ended for s in done if s.ended is not None]
    scheduled = [s.scheduled for s in mine if s.scheduled is not None]
    return MappedTimeline(
        count=len(mine),
        succeeded=states.get("success", 0),
        states=states,
        scheduled_to_queued=_median(
            s.queued - s.scheduled for s in mine if s.queued is not None and s.scheduled
        ),
        queued_to_started=_median(
            s.started - s.queued for s in mine if s.started is not None and s.queued
        ),
        running=_median(s.ended - s.started for s in mine if s.ended is not None and s.started),
        span=(max(ends) - min(starts)) if done else 0.0,
        first_scheduled_to_last_end=(max(ends) - min(scheduled)) if done and scheduled else 0.0,
    )


#: A task log's phases, by the events the task runner logs (Airflow 3's structured log).
PHASES = ("dag_parse", "pre_execute", "execute", "post_execute")


@dataclass(frozen=True)
class LogPhases:
    """Seconds of one task process's phases, from its log's timestamps: parsing the DAG
    file (bundle prepared, DagBag filled), the rest of pre-execute (templates, the mapped
    argument), ``execute`` (here: the shim subprocess), post-execute."""

    first: float  # the first line's timestamp
    dag_parse: float
    pre_execute: float
    execute: float
    post_execute: float


def log_phases(lines: Iterable[str]) -> LogPhases | None:
    """From the lines of a task's ``attempt=N.log``; None when a phase's mark is missing
    (a failed or still running task)."""
    import json

    events: list[tuple[float, str]] = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        stamp = parse_time(record.get("timestamp"))
        if stamp is not None:
            events.append((stamp, str(record.get("event", ""))))
    marks: dict[str, float] = {}
    for stamp, event in events:
        if event == "Worker startup parse complete":
            marks.setdefault("parsed", stamp)
        elif event == "::endgroup::" and "parsed" in marks:
            marks.setdefault("pre_done", stamp)
        elif event.startswith("Done. Returned value"):
            marks.setdefault("done", stamp)
    if not events or len(marks) < 3:
        return None
    first, last = events[0][0], events[-1][0]
    return LogPhases(
        first=first,
        dag_parse=marks["parsed"] - first,
        pre_execute=marks["pre_done"] - marks["parsed"],
        execute=marks["done"] - marks["pre_done"],
        post_execute=last - marks["done"],
    )


def median_phases(found: Iterable[LogPhases]) -> dict[str, float]:
    phases = list(found)
    return {name: _median(getattr(p, name) for p in phases) for name in PHASES}
