"""``python flow.py step-functions create/trigger/list-runs/terminate/delete`` (Metaflow's
verbs) against the session's moto server: they deploy and start runs through the same
functions as ``flowc deploy/trigger``, so what ``flowc status`` and the client see of a
run the flow file started is the same.

Each test deploys the @project flow on its own branch with its own datastore prefix and
SQS queue (as tests/stepfunctions/test_sfn_deploy.py does).
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.runs import REPO
from tests.support.sfn import s3_store
from tests.support.sfn_harness import ROLE, MotoServer, WorkerPool

FLOW = str(REPO / "tests/stepfunctions/flows/deployed.py")
BUCKET = "flowc-sfn-flowcli"
SCHEDULER_ROLE = "arn:aws:iam::123456789012:role/flowc-scheduler-test"
_counter = itertools.count()


@dataclass
class FlowFile:
    """``python deployed.py`` on one branch, datastore prefix and queue of the server."""

    server: MotoServer
    branch: str
    prefix: str
    queue_url: str
    workdir: Path
    """Where the test's files go (the commands run in the repository)."""

    @property
    def datastore(self) -> str:
        return f"s3://{BUCKET}/{self.prefix}"

    @property
    def machine(self) -> str:
        return f"deploy_e2e.test.{self.branch}.DeployedFlow"

    def machine_arn(self) -> str:
        return f"arn:aws:states:us-east-1:123456789012:stateMachine:{self.machine}"

    def env(self, **extra: str) -> dict[str, str]:
        env = self.server.task_env()
        env.pop("FLOWC_DATASTORE", None)
        env.update(AWS_ENDPOINT_URL=self.server.endpoint, FLOWC_SFN_ROLE_ARN=ROLE)
        env.update(extra)
        return env

    def python(
        self, *verb: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``python deployed.py TOP-OPTIONS step-functions OPTIONS VERB...``."""
        top = ["--datastore", "s3", "--datastore-root", self.datastore, "--branch", self.branch]
        options = [
            "compute=callback",
            f"queue_url={self.queue_url}",
            f"scheduler_role_arn={SCHEDULER_ROLE}",
        ]
        group = ["step-functions", *(a for o in options for a in ("--option", o))]
        return subprocess.run(
            [sys.executable, FLOW, *top, *group, *verb],
            cwd=REPO,  # where the tasks find the flow file, as for flowc deploy
            env=self.env() if env is None else env,
            capture_output=True,
            text=True,
            check=False,
        )

    def sfn(self) -> object:
        return self.server.client("stepfunctions")


@pytest.fixture
def flow_file(moto_server: MotoServer, tmp_path: Path) -> Iterator[FlowFile]:
    n = next(_counter)
    if n == 0:
        moto_server.client("s3").create_bucket(Bucket=BUCKET)
    queue = moto_server.client("sqs").create_queue(QueueName=f"flowc-flowcli-{n}")["QueueUrl"]
    yield FlowFile(moto_server, f"f{n}", f"flowcli-{n}", queue, tmp_path)


def _machines(flow: FlowFile) -> list[str]:
    listed = flow.server.client("stepfunctions").list_state_machines()["stateMachines"]
    return [m["stateMachineArn"] for m in listed]


def test_create_deploys_trigger_runs_list_runs_and_delete(flow_file: FlowFile) -> None:
    only = flow_file.python("create", "--only-json")
    assert only.returncode == 0, only.stderr
    assert "States" in json.loads(only.stdout)
    assert flow_file.machine_arn() not in _machines(flow_file)  # --only-json deploys nothing

    # --tag: every run the deployment starts carries the tag (the run record's user tags).
    created = flow_file.python("create", "--tag", "nightly")
    assert created.returncode == 0, created.stderr
    assert created.stdout == ""
    assert f"Deploying {flow_file.machine} to AWS Step Functions..." in created.stderr
    assert (
        f"State Machine {flow_file.machine} for flow DeployedFlow pushed to AWS Step "
        "Functions successfully." in created.stderr
    )
    assert f"state machine {flow_file.machine}: created" in created.stderr
    assert "via a cron schedule" in created.stderr
    assert flow_file.machine_arn() in _machines(flow_file)
    # The same deployment flowc deploy makes: deploying it again from the CLI changes nothing.
    again = subprocess.run(
        [
            sys.executable, "-m", "flowc.cli", "deploy", FLOW, "--target", "stepfunctions",
            "--branch", flow_file.branch, "--datastore", flow_file.datastore,
            "--option", "compute=callback", "--option", f"queue_url={flow_file.queue_url}",
            "--option", f"scheduler_role_arn={SCHEDULER_ROLE}", "--option", "tags=nightly",
        ],
        cwd=REPO, env=flow_file.env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stdout

    with WorkerPool(flow_file.server, flow_file.queue_url, size=4):
        started = flow_file.python(
            "trigger",
            "--width",
            "4",
            "--who",
            "flowc",
            "--run-id-file",
            str(flow_file.workdir / "run-id"),
        )
        assert started.returncode == 0, started.stderr
        run_id = (flow_file.workdir / "run-id").read_text()
        assert run_id.startswith("sfn-")
        assert (
            f"Workflow {flow_file.machine} triggered on AWS Step Functions (run-id {run_id})."
            in started.stderr
        )
        status = subprocess.run(
            [
                sys.executable, "-m", "flowc.cli", "status", f"DeployedFlow/{run_id}",
                "--datastore", flow_file.datastore, "--wait", "--timeout", "180",
            ],
            env=flow_file.env(), capture_output=True, text=True, check=False,
        )  # fmt: skip
    assert status.returncode == 0, status.stdout + status.stderr
    assert "SUCCEEDED" in status.stdout
    store = s3_store(flow_file.server.client("s3"), BUCKET, flow_file.prefix)
    from tests.support.runs import artifacts

    found = artifacts(store, "DeployedFlow", run_id)
    [end] = [values for key, values in found.items() if key.startswith("end/")]
    assert end["greeting"] == "hello flowc: 14"
    from runtime_shim.datastore.layout import FlowDatastore

    record = FlowDatastore(store, "DeployedFlow").read_run(run_id)
    assert record is not None and record["tags"] == ["nightly"]

    listed = flow_file.python("list-runs", "--succeeded")
    assert listed.returncode == 0, listed.stderr
    assert run_id in listed.stderr and "SUCCEEDED" in listed.stderr
    none_running = flow_file.python("list-runs", "--running")
    assert f"No RUNNING executions for {flow_file.machine} found" in none_running.stderr

    deleted = flow_file.python("delete")
    assert deleted.returncode == 0, deleted.stderr
    assert f"Deleting AWS Step Functions state machine {flow_file.machine}..." in deleted.stderr
    assert "state machine " + flow_file.machine + ": deleted" in deleted.stderr
    assert flow_file.machine_arn() not in _machines(flow_file)


def test_terminate_a_wrong_parameter_and_the_top_options(flow_file: FlowFile) -> None:
    assert flow_file.python("create").returncode == 0
    sfn: object = flow_file.server.client("stepfunctions")

    def executions() -> list[dict[str, object]]:
        found: list[dict[str, object]] = sfn.list_executions(  # type: ignore[attr-defined]
            stateMachineArn=flow_file.machine_arn()
        )["executions"]
        return found

    wrong = flow_file.python("trigger", "--width", "four")
    assert wrong.returncode == 2 and "width" in wrong.stderr, wrong.stderr
    assert executions() == []  # refused before anything started

    started = flow_file.python(
        "trigger", "--run-id-file", str(flow_file.workdir / "run-id")
    )  # no workers: stays RUNNING
    assert started.returncode == 0, started.stderr
    run_id = (flow_file.workdir / "run-id").read_text()
    stopped = flow_file.python("terminate", run_id)
    assert stopped.returncode == 0, stopped.stderr
    assert f"Terminating run {run_id} for DeployedFlow ..." in stopped.stderr
    # moto ends a stopped execution asynchronously, as Step Functions may.
    deadline = time.monotonic() + 30
    while executions()[0]["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [e["status"] for e in executions()] == ["ABORTED"]
    aborted = flow_file.python("list-runs", "--aborted")
    assert run_id in aborted.stderr and "ABORTED" in aborted.stderr
    mismatch = flow_file.python("terminate", "argo-123")
    assert mismatch.returncode == 1 and "begin with 'sfn-'" in mismatch.stderr

    # --production names the production deployment, which was never created.
    production = subprocess.run(
        [sys.executable, FLOW, "--datastore", "s3", "--datastore-root", flow_file.datastore,
         "--production", "step-functions", "trigger"],
        cwd=REPO, env=flow_file.env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert production.returncode == 1
    assert "no state machine deploy_e2e.prod.DeployedFlow" in production.stderr
    assert "Traceback" not in production.stderr


def test_missing_credentials_and_role_are_clear_errors(flow_file: FlowFile, tmp_path: Path) -> None:
    env = {k: v for k, v in flow_file.env().items() if not k.startswith("AWS_")}
    env.update(
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_REGION="us-east-1",
    )
    for verb in (["create"], ["trigger"], ["list-runs"]):
        done = flow_file.python(*verb, env=env)
        assert done.returncode == 1, (verb, done.stderr)
        # create asks boto3 first; trigger and list-runs first read the deployment's
        # record from the S3 datastore, which says the same of the credentials.
        assert "AWS_ACCESS_KEY_ID" in done.stderr, done.stderr
        assert verb != ["create"] or "no AWS credentials" in done.stderr
        assert "Traceback" not in done.stderr
    no_role = flow_file.env()
    no_role.pop("FLOWC_SFN_ROLE_ARN")
    done = flow_file.python("create", env=no_role)
    assert done.returncode == 1 and "FLOWC_SFN_ROLE_ARN" in done.stderr, done.stderr
    assert flow_file.machine_arn() not in _machines(flow_file)
    # --only-json needs no credentials at all.
    assert flow_file.python("create", "--only-json", env=env).returncode == 0


def test_create_options_reach_the_deployed_machine(flow_file: FlowFile) -> None:
    """--workflow-timeout is the machine's TimeoutSeconds and --log-execution-history its
    logging configuration, read back from the engine; without the flag a later create
    leaves the logging as it is."""
    group = "arn:aws:logs:us-east-1:123456789012:log-group:flowc-sfn-history:*"
    no_group = flow_file.python("create", "--log-execution-history")
    assert no_group.returncode == 1 and "FLOWC_SFN_LOG_GROUP_ARN" in no_group.stderr
    assert "Traceback" not in no_group.stderr
    assert flow_file.machine_arn() not in _machines(flow_file)

    env = flow_file.env(FLOWC_SFN_LOG_GROUP_ARN=group)
    created = flow_file.python(
        "create", "--workflow-timeout", "3600", "--log-execution-history", env=env
    )
    assert created.returncode == 0, created.stderr
    sfn: Any = flow_file.sfn()
    held = sfn.describe_state_machine(stateMachineArn=flow_file.machine_arn())
    assert json.loads(held["definition"])["TimeoutSeconds"] == 3600
    assert held["loggingConfiguration"] == {
        "level": "ALL",
        "includeExecutionData": True,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group}}],
    }
    # The same options again change nothing; without --workflow-timeout the definition
    # changes and the logging stays.
    same = flow_file.python(
        "create", "--workflow-timeout", "3600", "--log-execution-history", env=env
    )
    assert f"state machine {flow_file.machine}: unchanged" in same.stderr, same.stderr
    untimed = flow_file.python("create")
    assert f"state machine {flow_file.machine}: updated" in untimed.stderr, untimed.stderr
    held = sfn.describe_state_machine(stateMachineArn=flow_file.machine_arn())
    assert "TimeoutSeconds" not in json.loads(held["definition"])
    assert held["loggingConfiguration"]["level"] == "ALL"
    # flowc deploy's own spelling turns it off.
    off = subprocess.run(
        [
            sys.executable, "-m", "flowc.cli", "deploy", FLOW, "--target", "stepfunctions",
            "--branch", flow_file.branch, "--datastore", flow_file.datastore,
            "--option", "compute=callback", "--option", f"queue_url={flow_file.queue_url}",
            "--option", f"scheduler_role_arn={SCHEDULER_ROLE}",
            "--option", "log_execution_history=false",
        ],
        cwd=REPO, env=flow_file.env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert off.returncode == 0, off.stderr
    held = sfn.describe_state_machine(stateMachineArn=flow_file.machine_arn())
    assert held["loggingConfiguration"]["level"] == "OFF"
    # Production tokens have no flowc meaning: refused, nothing deleted.
    refused = flow_file.python("delete", "--authorize", "token")
    assert refused.returncode == 2 and "no production tokens" in refused.stderr
    assert flow_file.machine_arn() in _machines(flow_file)
