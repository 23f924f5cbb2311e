"""``@trigger``/``@trigger_on_finish`` on Argo: the Sensor validates with hera's Argo
Events models, and played by tests/support/argo_sensor.py it starts the WorkflowTemplate
in the harness with the mapped parameters and ``current.trigger``; a finished run's
event (published to a real local HTTP server) starts the flow that waits for it.

No Argo Events controller runs here: the Sensor's semantics are the stand-in's.
Regenerate the goldens with ``FLOWC_REGEN=1 .venv/bin/python -m pytest
tests/argo/test_argo_events.py``; tests/argo/test_argo_lint.py lints them with Argo's
validator.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from backends.argo import BACKEND
from backends.base import TargetOptions
from flowc.diagnostics import Severity
from tests.support.argo import REPO, artifacts, emit
from tests.support.argo_harness import Harness
from tests.support.argo_sensor import Sensor
from tests.support.golden import regenerating
from tests.support.webhook import Webhook

FLOWS = Path("tests/argo/event_flows")
GOLDEN = REPO / "tests" / "argo" / "golden"
SOURCE, EVENT = "argo-events-webhook", "metaflow-event"
GOLDENS = {"triggered": "trigger.yaml", "downstream": "trigger_on_finish.yaml"}


def _documents(flow: str, **extra: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    result = emit(str(FLOWS / f"{flow}.py"), extra=extra)
    errors = [d.message for d in result.diagnostics if d.severity is Severity.ERROR]
    assert not errors and len(result.files) == 1, errors
    text = result.files[0].content
    template, sensor = yaml.safe_load_all(text)
    return text, template, sensor


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


@pytest.mark.parametrize("flow", sorted(GOLDENS))
def test_golden(flow: str) -> None:
    text = _documents(flow)[0]
    path = GOLDEN / GOLDENS[flow]
    if regenerating():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
    assert _documents(flow)[0] == text  # deterministic


@pytest.mark.parametrize("flow", sorted(p.stem for p in (REPO / FLOWS).glob("*.py")))
def test_hera_models_accept_both_documents(flow: str, argo_schema_validator: Any) -> None:
    from hera.events.models import Sensor as SensorModel
    from hera.workflows.models import Workflow, WorkflowTemplate

    result = emit(str(FLOWS / f"{flow}.py"), namespace="ml")
    documents = list(yaml.safe_load_all(result.files[0].content))
    if len(documents) == 1:  # a flow without triggers (the upstream flow)
        return
    template, sensor = documents
    assert [e.message[:300] for e in argo_schema_validator.iter_errors(template)] == []
    model = WorkflowTemplate.model_validate(template)
    assert _canonical(model.model_dump(by_alias=True, exclude_none=True)) == _canonical(template)
    # hera ignores unknown fields: a round trip that loses nothing has none. Its Sensor
    # model has no apiVersion/kind, and keeps the created resource as an opaque value,
    # so that resource is checked as the Workflow it is.
    assert (sensor.pop("apiVersion"), sensor.pop("kind")) == ("argoproj.io/v1alpha1", "Sensor")
    k8s = sensor["spec"]["triggers"][0]["template"]["k8s"]
    resource = k8s["source"].pop("resource")
    checked = SensorModel.model_validate(sensor)
    assert _canonical(checked.model_dump(by_alias=True, exclude_none=True)) == _canonical(sensor)
    assert [e.message[:300] for e in argo_schema_validator.iter_errors(resource)] == []
    workflow = Workflow.model_validate(resource)
    assert _canonical(workflow.model_dump(by_alias=True, exclude_none=True)) == _canonical(resource)
    assert resource["spec"]["workflowTemplateRef"] == {"name": template["metadata"]["name"]}
    declared = {p["name"] for p in template["spec"]["arguments"]["parameters"]}
    assert {p["name"] for p in resource["spec"]["arguments"]["parameters"]} == declared


def _run(workflow: dict[str, Any], name: str, **env: str) -> Any:
    result = Harness(workflow, cwd=str(REPO), workflow_name=name, extra_env=env).submit()
    assert result.phase == "Succeeded", result.message + "\n".join(n.stderr for n in result.nodes)
    return result


def _sensor(flow: str, root: Path, **extra: Any) -> Sensor:
    """The flow's Sensor, with its WorkflowTemplate deployed beside it."""
    result = emit(str(FLOWS / f"{flow}.py"), datastore_root=str(root), extra=extra)
    template, sensor = yaml.safe_load_all(result.files[0].content)
    return Sensor(sensor, templates={template["metadata"]["name"]: template})


def test_event_starts_the_flow_with_mapped_parameters(tmp_path: Path) -> None:
    from runtime_shim.argo_events import ArgoEvent

    sensor = _sensor("triggered", tmp_path)
    body = ArgoEvent("data.ready").add_to_payload("value", 5).body({"tag": "fresh"})
    (workflow,) = sensor.receive(body, SOURCE, EVENT)
    _run(workflow, "triggered-1")
    start = artifacts(str(tmp_path), "TriggeredFlow", "triggered-1")["start/_"]
    assert (start["alpha"], start["label"], start["size"]) == (5, "fresh", 7)
    ((name, kind, event_id, payload),) = start["seen"]
    assert (name, kind, event_id) == ("data.ready", "event", body["payload"]["id"])
    assert payload == body["payload"]
    end = artifacts(str(tmp_path), "TriggeredFlow", "triggered-1")["end/_"]
    assert end["end_seen"] == "data.ready"


def test_missing_fields_keep_the_defaults(tmp_path: Path) -> None:
    from runtime_shim.argo_events import ArgoEvent

    sensor = _sensor("triggered", tmp_path)
    (workflow,) = sensor.receive(ArgoEvent("data.ready").body(), SOURCE, EVENT)
    _run(workflow, "triggered-2")
    start = artifacts(str(tmp_path), "TriggeredFlow", "triggered-2")["start/_"]
    assert (start["alpha"], start["label"]) == (1, "none")


def test_other_events_start_nothing(tmp_path: Path) -> None:
    from runtime_shim.argo_events import ArgoEvent

    sensor = _sensor("triggered", tmp_path)
    assert sensor.receive(ArgoEvent("data.late").body({"value": "3"}), SOURCE, EVENT) == []
    assert sensor.receive(ArgoEvent("data.ready").body(), "other-source", EVENT) == []
    # Configured names reach the dependencies.
    custom = _sensor("triggered", tmp_path, event_source="hooks", event="flows")
    assert custom.receive(ArgoEvent("data.ready").body(), SOURCE, EVENT) == []
    assert len(custom.receive(ArgoEvent("data.ready").body(), "hooks", "flows")) == 1


def _upstream_run(root: Path, url: str, name: str, **env: str) -> Any:
    upstream = emit(
        str(FLOWS / "upstream.py"), datastore_root=str(root), extra={"events_webhook_url": url}
    )
    return _run(yaml.safe_load(upstream.files[0].content), name, **env)


def test_finished_run_starts_the_downstream_flow(tmp_path: Path) -> None:
    with Webhook() as webhook:
        _upstream_run(tmp_path, webhook.url, "upstream-1")
    assert [b["name"] for b in webhook.bodies] == ["metaflow.UpstreamFlow.end"]
    payload = webhook.bodies[0]["payload"]
    assert payload["pathspec"] == "UpstreamFlow/upstream-1/end/end"
    assert payload["auto-generated-by-metaflow"] == "True"
    sensor = _sensor("downstream", tmp_path)
    started = [w for body in webhook.bodies for w in sensor.receive(body, SOURCE, EVENT)]
    assert len(started) == 1
    _run(started[0], "downstream-1")
    start = artifacts(str(tmp_path), "DownstreamFlow", "downstream-1")["start/_"]
    assert start["upstream"] == "UpstreamFlow/upstream-1"
    assert start["number"] == 42
    assert start["event"] == ("metaflow.UpstreamFlow.end", "run")


def test_a_failed_publish_does_not_fail_the_run(tmp_path: Path) -> None:
    with Webhook(status=500) as webhook:
        result = _upstream_run(tmp_path, webhook.url, "upstream-2")
    assert len(webhook.bodies) == 1
    end = next(n for n in result.nodes if n.template == "end")
    assert "Unable to publish Argo Event (metaflow.UpstreamFlow.end)" in end.stderr


def test_every_event_must_arrive_and_carry_the_required_field(tmp_path: Path) -> None:
    from runtime_shim.argo_events import ArgoEvent

    sensor = _sensor("two_events", tmp_path)
    assert sensor.receive(ArgoEvent("model.trained").body(), SOURCE, EVENT) == []
    assert sensor.receive(ArgoEvent("data.ready").body(), SOURCE, EVENT) == []
    trained = ArgoEvent("model.trained").body({"model": "m-7"})
    (workflow,) = sensor.receive(trained, SOURCE, EVENT)
    assert sensor.receive(ArgoEvent("data.ready").body(), SOURCE, EVENT) == []  # forgotten
    _run(workflow, "two-events-1")
    start = artifacts(str(tmp_path), "TwoEventsFlow", "two-events-1")["start/_"]
    assert (start["model"], start["names"]) == ("m-7", ["data.ready", "model.trained"])
    reset = sensor.document["spec"]["triggers"][0]["template"]["conditionsReset"]
    assert reset == [{"byTime": {"cron": "0 0 * * *", "timezone": "Europe/Paris"}}]


def test_a_project_flow_waits_for_its_own_branch(tmp_path: Path) -> None:
    from runtime_shim.argo_events import ArgoEvent

    def finished(branch: str) -> dict[str, Any]:
        event = ArgoEvent(f"metaflow.fraud.{branch}.UpstreamFlow.end")
        event.add_to_payload("pathspec", "UpstreamFlow/1/end/end")
        event.add_to_payload("project_name", "fraud").add_to_payload("branch_name", branch)
        return event.add_to_payload("auto-generated-by-metaflow", True).body()

    sensor = _sensor("project_downstream", tmp_path)
    assert sensor.receive(finished("test.staging"), SOURCE, EVENT) == []
    assert len(sensor.receive(finished("prod"), SOURCE, EVENT)) == 1
    staging = _sensor("project_downstream", tmp_path, branch="staging")
    assert staging.receive(finished("prod"), SOURCE, EVENT) == []
    assert len(staging.receive(finished("test.staging"), SOURCE, EVENT)) == 1


def test_a_user_event_of_that_name_is_not_a_finished_run(tmp_path: Path) -> None:
    from runtime_shim.argo_events import ArgoEvent

    sensor = _sensor("downstream", tmp_path)
    forged = ArgoEvent("metaflow.UpstreamFlow.end").body()
    assert sensor.receive(forged, SOURCE, EVENT) == []


@pytest.mark.parametrize(
    ("extra", "code"),
    [({"kind": "Workflow"}, "FC305"), ({"event_bus": "Bad_Bus"}, "FC305")],
)
def test_refused_settings(extra: dict[str, str], code: str) -> None:
    result = emit(str(FLOWS / "triggered.py"), extra=extra)
    assert not result.files
    assert code in [d.code for d in result.diagnostics if d.severity is Severity.ERROR]


def test_a_custom_end_step_publishes_the_well_known_end_too() -> None:
    from runtime_shim.argo_events import finished_run_events
    from runtime_shim.current import Current

    current = Current()
    current._set(flow_name="F", run_id="r1", step_name="finish", task_id="finish")
    current._update_env(
        {"project_name": "p", "branch_name": "prod", "project_flow_name": "p.prod.F"}
    )
    events = finished_run_events(current, "finish")
    bodies = [e.body() for e in events]
    assert [b["name"] for b in bodies] == ["metaflow.p.prod.F.finish", "metaflow.p.prod.F.end"]
    assert {
        k: bodies[1]["payload"][k] for k in ("id", "step_name", "project_name", "branch_name")
    } == {
        "id": "F/r1/finish/finish",
        "step_name": "finish",
        "project_name": "p",
        "branch_name": "prod",
    }


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ('{"reset_at": {"cron": "61 0 * * *"}}', "reset_at"),
        ('{"reset_at": {"cron": "0 0 * * *", "timezone": "Mars/Base"}}', "time zone"),
        ('{"reset_at": {"cron": "0 0 * * *", "at": 1}}', "unknown key"),
        ('{"delay": 5}', "has no Argo Events equivalent"),
    ],
)
def test_refused_trigger_options(options: str, message: str) -> None:
    from flowc.compiler import analyze_source

    source = (REPO / FLOWS / "two_events.py").read_text(encoding="utf-8")
    changed = re.sub(r"options=\{.*\},\n", f"options={options},\n", source)
    assert changed != source
    analysis = analyze_source("two_events.py", changed)
    assert analysis.ir is not None
    result = BACKEND.emit(analysis.ir, TargetOptions(datastore_root="s3://b/f"))
    assert not result.files
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert any(message in d.message for d in errors), [d.message for d in errors]
    assert all(d.span is not None and d.span.start.line == 6 for d in errors)


def test_both_decorators_are_refused() -> None:
    from flowc.compiler import analyze_source

    source = (REPO / FLOWS / "downstream.py").read_text(encoding="utf-8")
    both = source.replace(
        '@trigger_on_finish(flow="UpstreamFlow")\n',
        '@trigger(event="x")\n@trigger_on_finish(flow="UpstreamFlow")\n',
    ).replace("trigger_on_finish\n", "trigger, trigger_on_finish\n", 1)
    analysis = analyze_source("downstream.py", both)
    assert analysis.ir is not None, [d.message for d in analysis.diagnostics]
    result = BACKEND.emit(analysis.ir, TargetOptions(datastore_root="s3://b/f"))
    assert not result.files
    assert [d.code for d in result.diagnostics if d.severity is Severity.ERROR] == ["FC308"]
