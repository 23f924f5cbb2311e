"""``flowc deploy/trigger/status/terminate/delete`` with ``--target argo``, end to end through
the command line, against the recording server that checks every request against the
Argo Server's published OpenAPI description (no live Argo Server)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.argo_server import ArgoApiServer, request_bodies

REPO = Path(__file__).resolve().parents[2]
TRAIN = "examples/train.py"
NAMESPACE = "flows"


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str


@dataclass
class Cli:
    server: ArgoApiServer
    datastore: str

    def env(self) -> dict[str, str]:
        return {
            "ARGO_SERVER": self.server.address,
            "ARGO_SECURE": "false",
            "ARGO_NAMESPACE": NAMESPACE,
            "ARGO_TOKEN": "Bearer t0ken",
            "FLOWC_DATASTORE": self.datastore,
        }

    def __call__(self, *args: str, **env: str | None) -> Result:
        from click.testing import CliRunner

        from flowc.cli import cli

        cwd = os.getcwd()
        os.chdir(REPO)
        try:
            result = CliRunner().invoke(
                cli, list(args), env={**self.env(), **env}, catch_exceptions=False
            )
        finally:
            os.chdir(cwd)
        return Result(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def flowc(tmp_path: Path) -> Iterator[Cli]:
    with ArgoApiServer() as server:
        yield Cli(server, str(tmp_path / "datastore"))
        assert server.violations == [], "requests the Argo Server API would refuse"


def test_deploy_trigger_status_terminate_delete(flowc: Cli) -> None:
    first = flowc("deploy", TRAIN, "--target", "argo")
    assert first.code == 0, first.stderr
    assert "WorkflowTemplate train-flow: created" in first.stdout
    again = flowc("deploy", TRAIN, "--target", "argo")
    assert again.code == 0, again.stderr
    assert "train-flow is up to date on argo; nothing changed" in again.stdout

    started = flowc("trigger", TRAIN, "--epochs", "7", "--rates", "[0.2, 0.3]")
    assert started.code == 0, started.stderr
    pathspec = started.stdout.strip()
    flow, run_id = pathspec.split("/")
    assert flow == "TrainFlow" and run_id.startswith("argo-")
    [body] = request_bodies(flowc.server, "WorkflowService_SubmitWorkflow")
    assert body["submitOptions"] == {
        "name": run_id,
        "parameters": ["epochs=7", "rates=[0.2, 0.3]"],
    }
    assert {r.authorization for r in flowc.server.requests} == {"Bearer t0ken"}

    nodes = {
        "a": {"id": "a", "name": "a", "type": "Pod", "templateName": "start", "phase": "Succeeded"},
        "r": {
            "id": "r",
            "name": "r",
            "type": "Retry",
            "templateName": "fit",
            "phase": "Running",
            "children": ["b", "c"],
        },
        "b": {"id": "b", "name": "b", "type": "Pod", "templateName": "fit", "phase": "Failed"},
        "c": {"id": "c", "name": "c", "type": "Pod", "templateName": "fit", "phase": "Running"},
    }
    flowc.server.set_workflow_status(NAMESPACE, run_id, {"phase": "Running", "nodes": nodes})
    running = flowc("status", pathspec)
    assert running.code == 0, running.stderr
    assert f"{pathspec} on argo (train-flow): RUNNING [Running]" in running.stdout
    assert "fit" in running.stdout and "RUNNING    attempts 2" in running.stdout

    stopped = flowc("terminate", pathspec)
    assert stopped.code == 0, stopped.stderr
    assert len(list(request_bodies(flowc.server, "WorkflowService_TerminateWorkflow"))) == 1
    flowc.server.set_workflow_status(NAMESPACE, run_id, {"phase": "Failed", "nodes": nodes})
    final = flowc("status", pathspec, "--wait", "--timeout", "5")
    assert final.code == 1
    assert "TERMINATED [Failed]" in final.stdout

    removed = flowc("delete", TRAIN, "--target", "argo")
    assert removed.code == 0, removed.stderr
    assert "WorkflowTemplate train-flow: deleted" in removed.stdout
    assert flowc.server.stored("WorkflowTemplate", NAMESPACE, "train-flow") is None
    nothing = flowc("delete", TRAIN, "--target", "argo")
    assert "train-flow: nothing deployed on argo" in nothing.stdout


def test_a_wrong_parameter_type_submits_nothing(flowc: Cli) -> None:
    assert flowc("deploy", TRAIN, "--target", "argo").code == 0
    refused = flowc("trigger", TRAIN, "--epochs", "many")
    assert refused.code == 2
    assert list(request_bodies(flowc.server, "WorkflowService_SubmitWorkflow")) == []


def test_deploy_without_argo_server_names_the_variable(flowc: Cli) -> None:
    result = flowc("deploy", TRAIN, "--target", "argo", ARGO_SERVER=None)
    assert result.code == 1
    assert "ARGO_SERVER is not set" in result.stderr
    assert flowc.server.requests == []


def test_deployer_api_creates_triggers_and_finds_the_run_again(
    flowc: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Metaflow's Deployer shape, ``.argo_workflows()``, against the same server."""
    from metaflow import DeployedFlow, Deployer

    from flowc.deploy import ParameterValueError

    for key, value in flowc.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(REPO)
    deployed = Deployer(TRAIN, show_output=False).argo_workflows().create()
    assert (deployed.name, deployed.flow_name) == ("train-flow", "TrainFlow")
    with pytest.raises(ParameterValueError):
        deployed.trigger(epochs="many")
    assert list(request_bodies(flowc.server, "WorkflowService_SubmitWorkflow")) == []

    triggered = deployed.trigger(epochs=3)
    assert triggered.pathspec.startswith("TrainFlow/argo-")
    [body] = request_bodies(flowc.server, "WorkflowService_SubmitWorkflow")
    assert body["submitOptions"]["parameters"] == ["epochs=3"]
    run_id = triggered.pathspec.split("/")[1]
    assert triggered.status == "PENDING"
    flowc.server.set_workflow_status(NAMESPACE, run_id, {"phase": "Succeeded"})
    assert triggered.status == "SUCCEEDED"
    again = DeployedFlow.get_triggered_run("train-flow", run_id)
    assert again.status == "SUCCEEDED"
    deployed.delete()
    assert flowc.server.stored("WorkflowTemplate", NAMESPACE, "train-flow") is None


def test_deployer_create_takes_metaflows_keywords(
    flowc: Cli, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """``create(max_workers=..., workflow_priority=...)`` are the template's fields, as the
    flow file's flags of the same names; a keyword flowc cannot apply is refused."""
    from metaflow import Deployer

    from flowc.deploy import DeployError

    for key, value in flowc.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(REPO)
    with pytest.raises(DeployError, match="reads no Metaflow config profiles"):
        Deployer(TRAIN, show_output=False, profile="prod")
    argo = Deployer(TRAIN, show_output=False).argo_workflows()
    with pytest.raises(DeployError, match="nothing was deployed"):
        argo.create(authorize="token")
    assert "FC305 unknown argo option 'authorize'" in capfd.readouterr().err
    with pytest.raises(DeployError, match="give one of them"):
        argo.create(max_workers=2, parallelism=3)
    assert flowc.server.stored("WorkflowTemplate", NAMESPACE, "train-flow") is None
    argo.create(max_workers=2, workflow_priority=1, workflow_timeout=60, tags=["a", "b"])
    stored = flowc.server.stored("WorkflowTemplate", NAMESPACE, "train-flow")
    assert stored is not None
    spec = stored["spec"]
    assert (spec["parallelism"], spec["priority"], spec["activeDeadlineSeconds"]) == (2, 1, 60)
    [start] = [t for t in spec["templates"] if t["name"] == "start"]
    assert {"name": "FLOWC_RUN_TAGS", "value": '["a", "b"]'} in start["container"]["env"]


def test_metaflow_keywords_per_engine() -> None:
    from flowc.deploy.deployer import metaflow_keywords

    assert metaflow_keywords("stepfunctions", {"max_workers": 3, "use_distributed_map": True}) == {
        "max_concurrency": 3,
        "map_mode": "distributed",
    }
    assert metaflow_keywords("stepfunctions", {"use_distributed_map": False}) == {
        "map_mode": "inline"
    }
    # Same value both ways is one option; the engine without the keyword keeps it (FC305).
    assert metaflow_keywords("argo", {"max_workers": 3, "parallelism": "3"}) == {"parallelism": 3}
    assert metaflow_keywords("airflow", {"max_workers": 3}) == {"max_workers": 3}
