"""``current.trigger``: the events that started a run (Metaflow's ``metaflow.events``).

Every target hands a task the events that started its run the same way, so the task
needs no engine code: environment variables whose names start with
``FLOWC_TRIGGER_EVENT_`` each hold one event as a JSON object (an engine fills one
variable per event it listens for, and leaves the ones that did not fire empty or
``null``), and ``FLOWC_TRIGGER_EVENTS`` may hold a JSON list of them. An event object
is ``{"type": "event" | "run", "name": ..., "id": ..., "timestamp": ...,
"payload": {...}}`` (``timestamp``: seconds since the epoch, or an ISO 8601 time as
EventBridge writes it), or the body an Argo Events webhook received (``{"name": ...,
"payload": {...}}``, what ``ArgoEvent`` publishes; Argo's Sensor hands it on whole).
For a ``run`` event (``@trigger_on_finish``, or ``--trigger
FLOW/RUN`` locally), ``id`` is the pathspec of the upstream run's end task.

Metaflow's ``MetaflowEvent`` carries name, id, timestamp and type; flowc's adds the
event's ``payload`` as an attribute, so a flow can read fields it did not map to
parameters.
"""

from __future__ import annotations

import json
import os
from collections import namedtuple
from datetime import datetime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from typing import Any

#: The variable holding a JSON list of events.
EVENTS_VARIABLE = "FLOWC_TRIGGER_EVENTS"
#: The prefix of the variables that hold one event each.
EVENT_VARIABLE_PREFIX = "FLOWC_TRIGGER_EVENT_"
#: The kinds of event: a published event (``@trigger``) or a finished run.
EVENT_TYPES = ("event", "run")
#: The payload field Metaflow sets on the events a finished run publishes.
AUTO_GENERATED_FIELD = "auto-generated-by-metaflow"
#: Set in every container of a deployed Argo run (as Metaflow sets it): only such a task
#: publishes its finished-run event (runtime_shim/argo_events.py).
ARGO_DEPLOYED_VARIABLE = "ARGO_WORKFLOW_TEMPLATE"

_MetaflowEventFields = namedtuple("_MetaflowEventFields", ["name", "id", "timestamp", "type"])


class MetaflowEvent(_MetaflowEventFields):
    """One triggering event: Metaflow's four fields, and the payload beside them."""

    payload: dict[str, Any]

    def __new__(
        cls,
        name: str | None,
        id: str | None,
        timestamp: Any,
        type: str | None,
        payload: Mapping[str, Any] | None = None,
    ) -> MetaflowEvent:
        event = super().__new__(cls, name, id, timestamp, type)
        event.payload = dict(payload or {})
        return event


class Trigger:
    """The events of a triggered run, latest first (Metaflow's ``Trigger``)."""

    def __init__(self, _meta: list[dict[str, Any]] | None = None) -> None:
        meta = sorted(_meta or [], key=_timestamp_key, reverse=True)
        self._runs: list[Any] | None = None
        self._events = [_event(obj) for obj in meta]

    @classmethod
    def from_runs(cls, run_objs: list[Any]) -> Trigger:
        """The trigger of runs started by finished runs (``@trigger_on_finish``)."""
        runs = sorted(run_objs, key=lambda run: run.finished_at or 0, reverse=True)
        valid = [run for run in runs if run.end_task is not None]
        trigger = cls([event for run in valid for event in run_events(run)])
        trigger._runs = valid
        return trigger

    @property
    def event(self) -> MetaflowEvent | None:
        """The latest triggering event."""
        return next(iter(self._events), None)

    @property
    def events(self) -> list[MetaflowEvent] | None:
        """Every triggering event, latest first (None when there is none)."""
        return list(self._events) or None

    @property
    def run(self) -> Any:
        """The latest run among the triggering events, as a client ``Run``."""
        return next(iter(self.runs or ()), None)

    @property
    def runs(self) -> list[Any] | None:
        """The runs among the triggering events, as client ``Run`` objects."""
        if self._runs is None:
            from flowc.client import Run

            datastore = os.environ.get("FLOWC_DATASTORE")
            self._runs = [
                Run("/".join(str(event.id).split("/")[:2]), datastore, _namespace_check=False)
                for event in self._events
                if event.type == "run" and event.id
            ]
        return list(self._runs) or None

    def __getitem__(self, key: str) -> Any:
        """A triggering run by flow name, or an event by name (as in Metaflow)."""
        for run in self.runs or ():
            if run.parent.id == key:
                return run
        for event in self._events:
            if event.name == key:
                return event
        raise KeyError(key)

    def __iter__(self) -> Iterator[MetaflowEvent]:
        return iter(self._events)

    def __contains__(self, key: str) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True


def run_events(run: Any) -> list[dict[str, Any]]:
    """The events a finished run stands for: ``metaflow.FLOW.END_STEP``, and the
    well-known ``metaflow.FLOW.end`` too when the end step has another name (as Metaflow
    publishes both); ``id`` is the end task's pathspec."""
    end_task = run.end_task
    end_step = end_task.parent.id
    names = [f"metaflow.{run.parent.id}.{end_step}"]
    if end_step != "end":
        names.append(f"metaflow.{run.parent.id}.end")
    stamp = _epoch(run.finished_at)
    return [
        {"type": "run", "timestamp": stamp, "name": name, "id": end_task.pathspec, "payload": {}}
        for name in names
    ]


def events_from_environment(environ: Mapping[str, str] = os.environ) -> list[dict[str, Any]]:
    """The triggering events an engine handed this task (see the module's docstring).

    Raises ``ValueError`` for a variable that is not JSON, or not an event object: an
    engine that mangles the event is a deployment bug that must not pass unseen.
    """
    events: list[dict[str, Any]] = []
    listed = environ.get(EVENTS_VARIABLE, "").strip()
    if listed:
        values = json.loads(listed)
        if not isinstance(values, list):
            raise ValueError(f"{EVENTS_VARIABLE} is not a JSON list of events")
        events.extend(_checked(value, EVENTS_VARIABLE) for value in values)
    for variable in sorted(environ):
        if not variable.startswith(EVENT_VARIABLE_PREFIX):
            continue
        text = environ[variable].strip()
        if not text or text == "null":
            continue
        events.append(_checked(json.loads(text), variable))
    return events


def trigger_from_environment(environ: Mapping[str, str] = os.environ) -> Trigger | None:
    """``current.trigger`` of this task: None when no event started the run."""
    events = events_from_environment(environ)
    return Trigger(events) if events else None


def event_environment(events: list[dict[str, Any]]) -> dict[str, str]:
    """The environment that hands ``events`` to a task (the local runner's ``--trigger``)."""
    if not events:
        return {}
    return {EVENTS_VARIABLE: json.dumps(events, sort_keys=True, separators=(",", ":"))}


def _checked(value: Any, variable: str) -> dict[str, Any]:
    webhook_body = isinstance(value, dict) and set(value) == {"name", "payload"}
    if webhook_body and isinstance(value["payload"], dict):
        value = _from_webhook_body(value)
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise ValueError(f"{variable} holds {value!r}, not an event object with a name")
    kind = value.get("type", "event")
    if kind not in EVENT_TYPES:
        raise ValueError(f"{variable}: event type {kind!r} is not one of {EVENT_TYPES}")
    payload = value.get("payload") or {}
    if not isinstance(payload, dict):
        raise ValueError(f"{variable}: the payload of {value['name']!r} is not an object")
    return {
        "type": kind,
        "name": value["name"],
        "id": value.get("id"),
        "timestamp": value.get("timestamp"),
        "payload": payload,
    }


def _from_webhook_body(body: dict[str, Any]) -> dict[str, Any]:
    """The event of an Argo Events webhook body as ``ArgoEvent`` posts it: ``{"name":
    ..., "payload": {"name", "id", "timestamp", ...}}``. A finished run's event (its
    payload marked ``auto-generated-by-metaflow`` and naming the end task's
    ``pathspec``) is a ``run`` event whose id is that pathspec."""
    payload = body["payload"]
    finished_run = bool(payload.get(AUTO_GENERATED_FIELD)) and bool(payload.get("pathspec"))
    return {
        "type": "run" if finished_run else "event",
        "name": body.get("name", payload.get("name")),
        "id": payload.get("pathspec") if finished_run else payload.get("id"),
        "timestamp": payload.get("timestamp"),
        "payload": payload,
    }


def _event(obj: Mapping[str, Any]) -> MetaflowEvent:
    timestamp = obj.get("timestamp")
    if isinstance(timestamp, int | float) and not isinstance(timestamp, bool):
        timestamp = datetime.fromtimestamp(timestamp)
    elif isinstance(timestamp, str):
        timestamp = _iso_time(timestamp) or timestamp
    return MetaflowEvent(
        obj.get("name"), obj.get("id"), timestamp, obj.get("type"), obj.get("payload")
    )


def _timestamp_key(obj: Mapping[str, Any]) -> float:
    value = obj.get("timestamp")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    stamp = _iso_time(value) if isinstance(value, str) else None
    return stamp.timestamp() if stamp is not None else float("-inf")


def _iso_time(text: str) -> datetime | None:
    """An ISO 8601 time (EventBridge's ``time``, ``2026-01-02T03:04:05Z``), else None."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _epoch(value: Any) -> int | None:
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, int | float):
        return int(value)
    return None
