"""``current.trigger`` in a task: from the engine's variables, and from ``run --trigger``."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from runtime_shim.events import (
    EVENTS_VARIABLE,
    Trigger,
    event_environment,
    events_from_environment,
    trigger_from_environment,
)
from tests.support.runs import FLOWC, REPO, artifacts, local_store, run_local

FLOWS = Path(__file__).parent / "flows"


def test_one_variable_per_event_and_a_list_are_merged() -> None:
    env = {
        "FLOWC_TRIGGER_EVENT_DATA_abcd": json.dumps(
            {"name": "data", "id": "e1", "timestamp": 1700000000, "payload": {"alpha": 2}}
        ),
        "FLOWC_TRIGGER_EVENT_OTHER_wxyz": "null",
        EVENTS_VARIABLE: json.dumps([{"name": "late", "timestamp": 1800000000}]),
        "UNRELATED": "x",
    }
    trigger = trigger_from_environment(env)
    assert trigger is not None
    assert [e.name for e in trigger.events or []] == ["late", "data"]
    assert trigger.event is not None and trigger.event.name == "late"
    data = trigger["data"]
    assert data.payload == {"alpha": 2} and data.type == "event"
    assert data.timestamp == datetime.fromtimestamp(1700000000)
    name, ident, _stamp, kind = data
    assert (name, ident, kind) == ("data", "e1", "event")
    assert "data" in trigger and "absent" not in trigger


def test_iso_timestamps_are_times_and_order_the_events() -> None:
    """EventBridge writes an event's time as ISO 8601 text (Step Functions' rule input)."""
    trigger = Trigger(
        [
            {"name": "early", "timestamp": "2026-01-02T03:04:05Z"},
            {"name": "late", "timestamp": "2026-01-02T03:04:06Z"},
            {"name": "odd", "timestamp": "not a time"},
        ]
    )
    assert [e.name for e in trigger.events or []] == ["late", "early", "odd"]
    assert trigger["early"].timestamp == datetime.fromisoformat("2026-01-02T03:04:05+00:00")
    assert trigger["odd"].timestamp == "not a time"


def test_no_event_is_no_trigger() -> None:
    assert trigger_from_environment({"FLOWC_TRIGGER_EVENT_X_abcd": ""}) is None
    assert event_environment([]) == {}


@pytest.mark.parametrize(
    "env",
    [
        {EVENTS_VARIABLE: "{not json"},
        {EVENTS_VARIABLE: '{"name": "x"}'},
        {"FLOWC_TRIGGER_EVENT_X": '{"id": 1}'},
        {"FLOWC_TRIGGER_EVENT_X": '{"name": "x", "type": "alarm"}'},
        {"FLOWC_TRIGGER_EVENT_X": '{"name": "x", "payload": [1]}'},
    ],
)
def test_a_mangled_event_is_an_error(env: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        events_from_environment(env)


def test_round_trip_through_the_environment() -> None:
    events = [{"type": "run", "name": "metaflow.A.end", "id": "A/1/end/2", "timestamp": 5}]
    (event,) = Trigger(events_from_environment(event_environment(events))).events or []
    assert (event.name, event.type, event.id) == ("metaflow.A.end", "run", "A/1/end/2")


def test_run_trigger_sets_current_trigger_in_every_task(tmp_path: Path) -> None:
    store = str(tmp_path / "ds")
    code, upstream = run_local(str(FLOWS / "upstream.py"), store)
    assert code == 0
    code, downstream = run_local(
        str(FLOWS / "downstream.py"), store, "--trigger", f"UpstreamFlow/{upstream}"
    )
    assert code == 0
    data = artifacts(local_store(store), "DownstreamFlow", downstream)
    start = next(v for k, v in data.items() if k.startswith("start/"))
    end = next(v for k, v in data.items() if k.startswith("end/"))
    assert start["triggered"] is True
    assert start["event_names"] == ["metaflow.UpstreamFlow.end"]
    assert start["event_types"] == ["run"]
    assert start["event_id"].startswith(f"UpstreamFlow/{upstream}/end/")
    assert start["upstream_value"] == 41
    assert start["by_name"] == upstream
    assert end["end_sees_trigger"] is True


def test_untriggered_run_has_no_trigger(tmp_path: Path) -> None:
    store = str(tmp_path / "ds")
    code, run = run_local(str(FLOWS / "downstream.py"), store)
    assert code == 0
    start = next(
        v
        for k, v in artifacts(local_store(store), "DownstreamFlow", run).items()
        if k.startswith("start/")
    )
    assert start["triggered"] is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [("UpstreamFlow", "not a run pathspec"), ("UpstreamFlow/999", "UpstreamFlow/999")],
)
def test_bad_trigger_runs_are_usage_errors(tmp_path: Path, value: str, expected: str) -> None:
    proc = subprocess.run(
        [
            FLOWC,
            "run",
            str(FLOWS / "downstream.py"),
            "--datastore",
            str(tmp_path),
            "-q",
            "--trigger",
            value,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr
