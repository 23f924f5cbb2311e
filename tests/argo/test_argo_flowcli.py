"""``python flow.py argo-workflows create/trigger/status/terminate/delete`` (Metaflow's
verbs) against the recording server that checks every request against the Argo Server's
published OpenAPI description (no live Argo Server): the flow file deploys and submits
through the same functions as ``flowc deploy/trigger``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.argo_server import ArgoApiServer, request_bodies

REPO = Path(__file__).resolve().parents[2]
TRAIN = str(REPO / "examples/train.py")
NAMESPACE = "flows"
STEPS = ("start", "fit", "choose", "end")


@dataclass
class FlowFile:
    server: ArgoApiServer
    datastore: str

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARGO_")}
        env.update(
            ARGO_SERVER=self.server.address,
            ARGO_SECURE="false",
            ARGO_NAMESPACE=NAMESPACE,
            ARGO_TOKEN="Bearer t0ken",
            FLOWC_DATASTORE=self.datastore,
        )
        return env

    def __call__(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, TRAIN, *args],
            cwd=REPO,
            env=self.env() if env is None else env,
            capture_output=True,
            text=True,
            check=False,
        )


@pytest.fixture
def flow_file(tmp_path: Path) -> Iterator[FlowFile]:
    with ArgoApiServer() as server:
        yield FlowFile(server, str(tmp_path / "datastore"))
        assert server.violations == [], "requests the Argo Server API would refuse"


def test_create_trigger_status_terminate_delete(flow_file: FlowFile, tmp_path: Path) -> None:
    only = flow_file("argo-workflows", "create", "--only-json")
    assert only.returncode == 0, only.stderr
    assert json.loads(only.stdout)["metadata"]["name"] == "train-flow"
    assert flow_file.server.requests == []  # --only-json talks to no server

    created = flow_file("argo-workflows", "create")
    assert created.returncode == 0, created.stderr
    assert created.stdout == ""
    assert "Deploying TrainFlow to Argo Workflows..." in created.stderr
    assert (
        "Workflow train-flow for flow TrainFlow deployed to Argo Workflows successfully."
        in created.stderr
    )
    assert "No triggers defined. You need to launch this workflow manually." in created.stderr
    stored = flow_file.server.stored("WorkflowTemplate", NAMESPACE, "train-flow")
    assert stored is not None
    # The same template flowc deploy applies: deploying it from the CLI changes nothing.
    again = subprocess.run(
        [sys.executable, "-m", "flowc.cli", "deploy", TRAIN, "--target", "argo"],
        cwd=REPO, env=flow_file.env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stdout

    refused = flow_file("argo-workflows", "trigger", "--epochs", "many")
    assert refused.returncode == 2 and "epochs" in refused.stderr
    assert list(request_bodies(flow_file.server, "WorkflowService_SubmitWorkflow")) == []

    id_file = str(tmp_path / "run-id")
    started = flow_file("argo-workflows", "trigger", "--epochs", "7", "--run-id-file", id_file)
    assert started.returncode == 0, started.stderr
    run_id = Path(id_file).read_text()
    assert run_id.startswith("argo-")
    assert f"Workflow train-flow triggered on Argo Workflows (run-id {run_id})." in started.stderr
    [body] = request_bodies(flow_file.server, "WorkflowService_SubmitWorkflow")
    assert body["submitOptions"] == {"name": run_id, "parameters": ["epochs=7"]}

    flow_file.server.set_workflow_status(NAMESPACE, run_id, {"phase": "Running"})
    status = flow_file("argo-workflows", "status", run_id)
    assert status.returncode == 0, status.stderr
    assert f"Fetching status for run {run_id} for TrainFlow ..." in status.stderr
    assert status.stderr.rstrip().endswith("Running")
    # flowc status reads the same run the flow file started.
    same = subprocess.run(
        [sys.executable, "-m", "flowc.cli", "status", f"TrainFlow/{run_id}"],
        cwd=REPO, env=flow_file.env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "RUNNING [Running]" in same.stdout, same.stderr

    stopped = flow_file("argo-workflows", "terminate", run_id)
    assert stopped.returncode == 0, stopped.stderr
    assert "Run terminated." in stopped.stderr
    assert len(list(request_bodies(flow_file.server, "WorkflowService_TerminateWorkflow"))) == 1
    wrong = flow_file("argo-workflows", "terminate", "sfn-1")
    assert wrong.returncode == 1 and "begin with 'argo-'" in wrong.stderr

    listed = flow_file("argo-workflows", "list-workflow-templates")
    assert listed.returncode == 0 and listed.stderr.strip() == "train-flow"

    deleted = flow_file("argo-workflows", "delete")
    assert deleted.returncode == 0, deleted.stderr
    assert "Deleting workflow train-flow..." in deleted.stderr
    assert flow_file.server.stored("WorkflowTemplate", NAMESPACE, "train-flow") is None
    gone = flow_file("argo-workflows", "delete")
    assert gone.returncode == 1 and "No WorkflowTemplate train-flow" in gone.stderr


def test_missing_server_and_name_are_clear_errors(flow_file: FlowFile) -> None:
    env = {k: v for k, v in flow_file.env().items() if k != "ARGO_SERVER"}
    for verb in (["create"], ["trigger"]):
        done = flow_file("argo-workflows", *verb, env={**env, "KUBECONFIG": os.devnull})
        assert done.returncode == 1, (verb, done.stderr)
        assert "ARGO_SERVER is not set" in done.stderr and "Traceback" not in done.stderr
    named = flow_file("argo-workflows", "--name", "other", "create")
    assert named.returncode == 2 and "--branch" in named.stderr
    assert flow_file.server.requests == []


def test_create_options_reach_the_applied_template(flow_file: FlowFile) -> None:
    """--max-workers, --workflow-timeout and --workflow-priority are fields of the
    template the server stores; options flowc cannot apply send nothing."""
    created = flow_file(
        "argo-workflows", "create",
        "--max-workers", "4", "--workflow-timeout", "7200", "--workflow-priority", "3",
        "--tag", "nightly", "--tag", "team:ml", "--namespace", "team:ml",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    stored = flow_file.server.stored("WorkflowTemplate", NAMESPACE, "train-flow")
    assert stored is not None
    spec = stored["spec"]
    assert (spec["parallelism"], spec["activeDeadlineSeconds"], spec["priority"]) == (4, 7200, 3)
    # The start task, which creates the run record, gets the tags.
    envs = {t["name"]: (t.get("container") or {}).get("env") or [] for t in spec["templates"]}
    tagged = {name for name, env in envs.items() for e in env if e["name"] == "FLOWC_RUN_TAGS"}
    assert tagged == {"start"}
    [tags] = [e["value"] for e in envs["start"] if e["name"] == "FLOWC_RUN_TAGS"]
    assert json.loads(tags) == ["nightly", "team:ml"]
    # --namespace: every step's task reads other runs in that namespace.
    spaces = {
        n: [e["value"] for e in env if e["name"] == "FLOWC_NAMESPACE"] for n, env in envs.items()
    }
    assert {n: v for n, v in spaces.items() if n in STEPS} == {n: ["team:ml"] for n in STEPS}
    requests = len(flow_file.server.requests)
    for refused, words in (
        (["--authorize", "token"], "no production tokens"),
        (["--notify-on-error", "--notify-slack-webhook-url", "https://x"], "@exit_hook"),
        (["--enable-heartbeat-daemon"], "no heartbeat daemon"),
        (["--auto-emit-argo-events"], "events_webhook_url"),
    ):
        done = flow_file("argo-workflows", "create", *refused)
        assert done.returncode == 2 and words in done.stderr, (refused, done.stderr)
        assert "Traceback" not in done.stderr
    terminated = flow_file("argo-workflows", "terminate", "--authorize", "t", "argo-1")
    assert terminated.returncode == 2 and "no production tokens" in terminated.stderr
    assert len(flow_file.server.requests) == requests  # nothing reached the server
