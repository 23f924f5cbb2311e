"""``flowc deploy --target argo`` and the run verbs against a recording server that checks
every request against the Argo Server's published OpenAPI description
(tests/support/argo_server.py). No live Argo Server is exercised here."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from backends.argo._literals import encode_parameter_value
from flowc.deploy import (
    DeployConfigError,
    DeployError,
    ResourceChange,
    RunState,
    compile_for_deploy,
    open_target,
)
from flowc.deploy.argo import MANIFEST_HASH, ArgoTarget
from tests.support.argo_server import ArgoApiServer, request_bodies, spec_version

REPO = Path(__file__).resolve().parents[2]
TRAIN = str(REPO / "examples" / "train.py")
EVENTS = REPO / "tests" / "argo" / "event_flows"
DATASTORE = "s3://flows-bucket/flowc"
NAMESPACE = "flows"

FLOW = '''
from metaflow import FlowSpec, Parameter, schedule, step, trigger

{decorators}
class SmallFlow(FlowSpec):
    """A two-step flow."""

    size = Parameter("size", default=3)
    label = Parameter("label", default="{label}")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
'''


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArgoApiServer]:
    with ArgoApiServer() as fake:
        monkeypatch.setenv("ARGO_SERVER", fake.address)
        monkeypatch.setenv("ARGO_SECURE", "false")
        monkeypatch.setenv("ARGO_NAMESPACE", NAMESPACE)
        monkeypatch.setenv("ARGO_TOKEN", "s3cr3t")
        yield fake
        assert fake.violations == [], "requests the Argo Server API would refuse"


def target() -> ArgoTarget:
    opened = open_target("argo")
    assert isinstance(opened, ArgoTarget)
    return opened


def small_flow(tmp_path: Path, decorators: str = "", label: str = "none") -> str:
    path = tmp_path / "small.py"
    path.write_text(FLOW.format(decorators=decorators, label=label), encoding="utf-8")
    return str(path)


def changes(outcome: object) -> list[tuple[str, ResourceChange]]:
    return [(r.kind, r.change) for r in outcome.resources]  # type: ignore[attr-defined]


def test_the_spec_is_the_argo_workflows_release_argo_lint_builds_against() -> None:
    go_mod = (REPO / "tools" / "argo-lint" / "go.mod").read_text(encoding="utf-8")
    assert f"github.com/argoproj/argo-workflows/v4 {spec_version()}" in go_mod
    docs = (REPO / "docs" / "argo.md").read_text(encoding="utf-8")
    assert "**No live Argo Server was exercised.**" in docs
    assert f"argo-workflows/v4 at {spec_version()}**" in docs


def test_deployed_name_is_the_emitted_template_name() -> None:
    compiled = compile_for_deploy(TRAIN, "argo", datastore_root=DATASTORE)
    emitted = yaml.safe_load(compiled.file_ending(".workflowtemplate.yaml").content)
    assert compiled.deployed_name == emitted["metadata"]["name"] == "train-flow"


def test_deployed_name_of_a_project_flow_is_the_emitted_template_name() -> None:
    flow = str(EVENTS / "project_downstream.py")
    compiled = compile_for_deploy(flow, "argo", datastore_root=DATASTORE, branch="nightly")
    text = compiled.file_ending(".workflowtemplate.yaml").content
    names = {d["kind"]: d["metadata"]["name"] for d in yaml.safe_load_all(text)}
    assert names == {"WorkflowTemplate": compiled.deployed_name, "Sensor": compiled.deployed_name}
    assert ".test.nightly." not in compiled.deployed_name
    assert "-test-nightly-" in compiled.deployed_name


def test_deploy_creates_the_workflow_template(server: ArgoApiServer) -> None:
    compiled = compile_for_deploy(TRAIN, "argo", datastore_root=DATASTORE)
    outcome = target().deploy(compiled)
    assert outcome.ok and changes(outcome) == [("WorkflowTemplate", ResourceChange.CREATED)]
    [body] = request_bodies(server, "WorkflowTemplateService_CreateWorkflowTemplate")
    emitted = yaml.safe_load(compiled.file_ending(".workflowtemplate.yaml").content)
    sent = body["template"]
    assert sent["metadata"]["annotations"].pop(MANIFEST_HASH)
    assert sent == emitted
    assert server.stored("WorkflowTemplate", NAMESPACE, "train-flow") is not None
    assert {r.authorization for r in server.requests} == {"Bearer s3cr3t"}


def test_deploy_again_unchanged_sends_no_write(server: ArgoApiServer) -> None:
    compiled = compile_for_deploy(TRAIN, "argo", datastore_root=DATASTORE)
    target().deploy(compiled)
    before = len(server.writes())
    outcome = target().deploy(compile_for_deploy(TRAIN, "argo", datastore_root=DATASTORE))
    assert changes(outcome) == [("WorkflowTemplate", ResourceChange.UNCHANGED)]
    assert not outcome.changed
    assert len(server.writes()) == before


def test_deploy_changed_updates_with_the_live_resource_version(server: ArgoApiServer) -> None:
    target().deploy(compile_for_deploy(TRAIN, "argo", datastore_root=DATASTORE))
    live = server.stored("WorkflowTemplate", NAMESPACE, "train-flow")
    assert live is not None
    version = live["metadata"]["resourceVersion"]
    changed = compile_for_deploy(
        TRAIN, "argo", datastore_root=DATASTORE, target_options={"parallelism": "3"}
    )
    outcome = target().deploy(changed)
    assert changes(outcome) == [("WorkflowTemplate", ResourceChange.UPDATED)]
    [body] = request_bodies(server, "WorkflowTemplateService_UpdateWorkflowTemplate")
    assert body["template"]["metadata"]["resourceVersion"] == version
    assert body["template"]["spec"]["parallelism"] == 3
    after = server.stored("WorkflowTemplate", NAMESPACE, "train-flow")
    assert after is not None and after["metadata"]["resourceVersion"] != version


def test_schedule_and_trigger_deploy_a_cron_workflow_and_a_sensor(
    server: ArgoApiServer, tmp_path: Path
) -> None:
    decorated = '@schedule(cron="0 6 * * *")\n@trigger(event="data.ready")'
    compiled = compile_for_deploy(small_flow(tmp_path, decorated), "argo", datastore_root=DATASTORE)
    outcome = target().deploy(compiled)
    assert changes(outcome) == [
        ("WorkflowTemplate", ResourceChange.CREATED),
        ("CronWorkflow", ResourceChange.CREATED),
        ("Sensor", ResourceChange.CREATED),
    ]
    [cron] = request_bodies(server, "CronWorkflowService_CreateCronWorkflow")
    assert cron["cronWorkflow"]["spec"]["workflowSpec"]["workflowTemplateRef"] == {
        "name": "small-flow"
    }
    [sensor] = request_bodies(server, "SensorService_CreateSensor")
    # What was sent is what flowc emitted (the Sensor without the kind its endpoint names).
    emitted = {
        d["kind"]: d
        for d in yaml.safe_load_all(compiled.file_ending(".workflowtemplate.yaml").content)
    }
    for document in (cron["cronWorkflow"], sensor["sensor"]):
        annotations = document["metadata"]["annotations"]
        assert annotations.pop(MANIFEST_HASH)
        if not annotations:
            del document["metadata"]["annotations"]
    assert cron["cronWorkflow"] == emitted["CronWorkflow"]
    del emitted["Sensor"]["apiVersion"], emitted["Sensor"]["kind"]
    assert sensor["sensor"] == emitted["Sensor"]
    [trig] = sensor["sensor"]["spec"]["triggers"]
    assert trig["template"]["k8s"]["source"]["resource"]["spec"]["workflowTemplateRef"] == {
        "name": "small-flow"
    }
    # The flow drops @schedule and @trigger: a re-deploy removes what they made.
    dropped = compile_for_deploy(
        small_flow(tmp_path, label="other"), "argo", datastore_root=DATASTORE
    )
    outcome = target().deploy(dropped)
    assert changes(outcome) == [
        ("WorkflowTemplate", ResourceChange.UPDATED),
        ("CronWorkflow", ResourceChange.DELETED),
        ("Sensor", ResourceChange.DELETED),
    ]
    assert server.stored("CronWorkflow", NAMESPACE, "small-flow") is None
    assert server.stored("Sensor", NAMESPACE, "small-flow") is None


def test_a_deploy_failing_half_way_reports_it_and_a_rerun_converges(
    server: ArgoApiServer, tmp_path: Path
) -> None:
    decorated = '@schedule(cron="0 6 * * *")\n@trigger(event="data.ready")'
    compiled = compile_for_deploy(small_flow(tmp_path, decorated), "argo", datastore_root=DATASTORE)
    other = {"workflowTemplateRef": {"name": "someone-elses"}}
    foreign = {"schedules": ["* * * * *"], "workflowSpec": other}
    server.put("CronWorkflow", NAMESPACE, {"metadata": {"name": "small-flow"}, "spec": foreign})
    outcome = target().deploy(compiled)
    assert not outcome.ok
    assert changes(outcome) == [
        ("WorkflowTemplate", ResourceChange.CREATED),
        ("CronWorkflow", ResourceChange.FAILED),
        ("Sensor", ResourceChange.NOT_APPLIED),
    ]
    assert "was not made by flowc" in outcome.resources[1].detail
    assert server.stored("Sensor", NAMESPACE, "small-flow") is None
    server.remove("CronWorkflow", NAMESPACE, "small-flow")
    again = target().deploy(compiled)
    assert again.ok
    assert changes(again) == [
        ("WorkflowTemplate", ResourceChange.UNCHANGED),
        ("CronWorkflow", ResourceChange.CREATED),
        ("Sensor", ResourceChange.CREATED),
    ]


def test_deploy_refuses_a_manifest_for_another_namespace(server: ArgoApiServer) -> None:
    compiled = compile_for_deploy(TRAIN, "argo", datastore_root=DATASTORE)
    [emitted] = compiled.files
    placed = emitted.content.replace(
        "  name: train-flow\n", "  name: train-flow\n  namespace: ml\n", 1
    )
    elsewhere = dataclasses.replace(compiled, files=(dataclasses.replace(emitted, content=placed),))
    with pytest.raises(DeployError, match=r"compiled for namespace ml .* ARGO_NAMESPACE=ml"):
        target().deploy(elsewhere)
    assert server.requests == []


def test_trigger_submits_from_the_template_with_rendered_parameters(
    server: ArgoApiServer,
) -> None:
    compiled = compile_for_deploy(TRAIN, "argo", datastore_root=DATASTORE)
    target().deploy(compiled)
    parameters = {"epochs": encode_parameter_value(5), "rates": encode_parameter_value([0.5])}
    ref = target().trigger(compiled.deployed_name, parameters)
    [body] = request_bodies(server, "WorkflowService_SubmitWorkflow")
    assert body["resourceKind"] == "WorkflowTemplate"
    assert body["resourceName"] == "train-flow"
    assert body["submitOptions"]["parameters"] == ["epochs=5", "rates=[0.5]"]
    # The Workflow is named by the run id, which its tasks receive as {{workflow.name}}.
    assert body["submitOptions"]["name"] == ref.run_id
    assert ref.run_id.startswith("argo-")
    # The values are spelt as the template spells its defaults.
    emitted = yaml.safe_load(compiled.file_ending(".workflowtemplate.yaml").content)
    defaults = {p["name"]: p["value"] for p in emitted["spec"]["arguments"]["parameters"]}
    assert defaults["epochs"] == encode_parameter_value(100)
    assert ref.flow_name == "TrainFlow" and ref.deployed_name == "train-flow"
    assert ref.run_id == ref.engine_run_id
    assert server.stored("Workflow", NAMESPACE, ref.run_id) is not None
    assert ref.pathspec == f"TrainFlow/{ref.run_id}"


def test_trigger_refuses_a_parameter_the_template_lacks(server: ArgoApiServer) -> None:
    compiled = compile_for_deploy(TRAIN, "argo", datastore_root=DATASTORE)
    target().deploy(compiled)
    with pytest.raises(DeployError, match=r"no parameter epoch \(it takes epochs, rates, noise\)"):
        target().trigger(compiled.deployed_name, {"epoch": "5"})
    assert list(request_bodies(server, "WorkflowService_SubmitWorkflow")) == []


def test_trigger_before_deploy_says_to_deploy(server: ArgoApiServer) -> None:
    with pytest.raises(DeployError, match="no WorkflowTemplate train-flow in namespace flows"):
        target().trigger("train-flow", {})


def _pod(node_id: str, template: str, phase: str, message: str = "") -> dict[str, object]:
    node: dict[str, object] = {
        "id": node_id,
        "name": f"run.{node_id}",
        "displayName": template,
        "type": "Pod",
        "templateName": template,
        "phase": phase,
    }
    if message:
        node["message"] = message
    return node


def _started(server: ArgoApiServer) -> tuple[ArgoTarget, object]:
    compiled = compile_for_deploy(TRAIN, "argo", datastore_root=DATASTORE)
    deployed = target()
    deployed.deploy(compiled)
    return deployed, deployed.trigger(compiled.deployed_name, {})


def test_status_maps_phases_and_retried_nodes(server: ArgoApiServer) -> None:
    deployed, ref = _started(server)
    name = ref.engine_run_id  # type: ignore[attr-defined]
    stored = server.stored("WorkflowTemplate", NAMESPACE, "train-flow")
    assert stored is not None
    assert deployed.status(ref).state is RunState.PENDING  # type: ignore[arg-type]

    nodes = {
        "s": _pod("s", "start", "Succeeded"),
        "r": {
            "id": "r",
            "name": "run.fit",
            "type": "Retry",
            "templateName": "fit",
            "phase": "Running",
            "children": ["f0", "f1"],
        },
        "f0": _pod("f0", "fit", "Failed", "Error (exit code 1)"),
        "f1": _pod("f1", "fit", "Running"),
    }
    status = {
        "phase": "Running",
        "nodes": nodes,
        "storedWorkflowTemplateSpec": stored["spec"],
    }
    server.set_workflow_status(NAMESPACE, name, status)
    running = deployed.status(ref)  # type: ignore[arg-type]
    assert running.state is RunState.RUNNING and running.engine_state == "Running"
    tasks = {t.step: (t.state, t.attempts) for t in running.tasks}
    assert tasks == {"start": (RunState.SUCCEEDED, 1), "fit": (RunState.RUNNING, 2)}

    nodes["f1"] = _pod("f1", "fit", "Succeeded")
    nodes["r"]["phase"] = "Succeeded"
    server.set_workflow_status(NAMESPACE, name, {**status, "phase": "Succeeded"})
    done = deployed.status(ref)  # type: ignore[arg-type]
    assert done.state is RunState.SUCCEEDED
    assert {t.step: t.attempts for t in done.tasks} == {"start": 1, "fit": 2}

    nodes["f1"] = _pod("f1", "fit", "Failed", "Error (exit code 1)")
    nodes["r"]["phase"] = "Failed"
    server.set_workflow_status(NAMESPACE, name, {**status, "phase": "Failed"})
    failed = deployed.status(ref)  # type: ignore[arg-type]
    assert failed.state is RunState.FAILED and failed.engine_state == "Failed"
    [fit] = [t for t in failed.tasks if t.step == "fit"]
    assert (fit.state, fit.attempts, fit.detail) == (RunState.FAILED, 2, "Error (exit code 1)")


def test_terminate_stops_a_running_workflow_and_leaves_a_finished_one(
    server: ArgoApiServer,
) -> None:
    deployed, ref = _started(server)
    name = ref.engine_run_id  # type: ignore[attr-defined]
    server.set_workflow_status(NAMESPACE, name, {"phase": "Running"})
    deployed.terminate(ref)  # type: ignore[arg-type]
    [body] = request_bodies(server, "WorkflowService_TerminateWorkflow")
    assert body == {"name": name, "namespace": NAMESPACE}
    stopped = {"phase": "Failed", "message": "Stopped with strategy 'Terminate'"}
    server.set_workflow_status(NAMESPACE, name, stopped)
    assert deployed.status(ref).state is RunState.TERMINATED  # type: ignore[arg-type]
    deployed.terminate(ref)  # type: ignore[arg-type]
    assert len(list(request_bodies(server, "WorkflowService_TerminateWorkflow"))) == 1


def test_delete_removes_every_resource(server: ArgoApiServer, tmp_path: Path) -> None:
    decorated = '@schedule(cron="0 6 * * *")\n@trigger(event="data.ready")'
    compiled = compile_for_deploy(small_flow(tmp_path, decorated), "argo", datastore_root=DATASTORE)
    target().deploy(compiled)
    outcome = target().delete("small-flow")
    assert changes(outcome) == [
        ("WorkflowTemplate", ResourceChange.DELETED),
        ("CronWorkflow", ResourceChange.DELETED),
        ("Sensor", ResourceChange.DELETED),
    ]
    for kind in ("WorkflowTemplate", "CronWorkflow", "Sensor"):
        assert server.stored(kind, NAMESPACE, "small-flow") is None
    assert target().delete("small-flow").resources == ()


def test_the_server_refuses_what_the_spec_refuses(server: ArgoApiServer) -> None:
    """The checks can fail: a body of the wrong shape, a misspelt field and an operation
    the API does not have are each refused and recorded."""
    url = f"http://{server.address}/api/v1/workflow-templates/{NAMESPACE}"
    compiled = compile_for_deploy(TRAIN, "argo", datastore_root=DATASTORE)
    good = yaml.safe_load(compiled.file_ending(".workflowtemplate.yaml").content)
    broken = json.loads(json.dumps(good))
    broken["spec"]["templates"] = "main"
    misspelt = json.loads(json.dumps(good))
    misspelt["spec"]["entryPoint"] = misspelt["spec"].pop("entrypoint")
    for body in ({"template": broken}, {"template": misspelt}, {"templates": good}):
        assert requests.post(url, json=body, timeout=10).status_code == 400
    assert requests.put(f"{url}/train-flow/stop", json={}, timeout=10).status_code == 400
    assert requests.get(f"{url}/train-flow?getOption=1", timeout=10).status_code == 400
    found = "\n".join(server.violations)
    assert "template/spec/templates: 'main' is not of type 'array'" in found
    assert "'entryPoint' was unexpected" in found
    assert "'templates' was unexpected" in found
    assert f"/api/v1/workflow-templates/{NAMESPACE}/train-flow/stop is not a path" in found
    assert "query parameter 'getOption' is not declared" in found
    assert requests.post(url, json={"template": good}, timeout=10).status_code == 200
    server.violations.clear()


def test_missing_argo_server_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARGO_SERVER", raising=False)
    with pytest.raises(DeployConfigError, match="ARGO_SERVER is not set"):
        open_target("argo")
    monkeypatch.setenv("ARGO_SERVER", "localhost:2746")
    monkeypatch.setenv("ARGO_SECURE", "maybe")
    with pytest.raises(DeployConfigError, match="ARGO_SECURE='maybe' is not a boolean"):
        open_target("argo")


def test_namespace_falls_back_to_the_kubeconfig_context(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = {
        "current-context": "dev",
        "contexts": [
            {"name": "prod", "context": {"namespace": "prod-ns"}},
            {"name": "dev", "context": {"namespace": "dev-ns"}},
        ],
    }
    (tmp_path / "kubeconfig").write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kubeconfig"))
    monkeypatch.setenv("ARGO_SERVER", "argo.example.com:2746")
    monkeypatch.delenv("ARGO_NAMESPACE", raising=False)
    monkeypatch.setenv("ARGO_INSECURE_SKIP_VERIFY", "true")
    monkeypatch.setenv("ARGO_SECURE", "true")
    opened = target()
    assert opened.namespace == "dev-ns"
    assert opened.connection.url == "https://argo.example.com:2746/"
    assert opened.connection.verify_ssl is False
    monkeypatch.setenv("ARGO_NAMESPACE", "argo")
    assert target().namespace == "argo"


def test_without_hera_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setenv("ARGO_SERVER", "localhost:2746")
    monkeypatch.setitem(sys.modules, "hera.workflows.service", None)
    with pytest.raises(DeployError, match=r"needs hera: pip install 'flowc\[argo\]'"):
        open_target("argo")
