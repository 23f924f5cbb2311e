"""``flowc deploy/trigger/status/terminate/delete`` and the ``Deployer`` API on Step
Functions, against the session's moto server: boto3 creates the state machine and the
EventBridge Scheduler schedule, StartExecution starts it, the callback workers run the
steps, and the artifacts equal a local run's.

Each test deploys the @project flow on its own branch (its own state machine), with its
own datastore prefix and SQS queue.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.runs import REPO, artifacts, local_store, run_local
from tests.support.sfn import s3_store
from tests.support.sfn_harness import ROLE, MotoServer, WorkerPool

FLOW = "tests/stepfunctions/flows/deployed.py"
FLAKY = "tests/stepfunctions/flows/flaky.py"
BUCKET = "flowc-sfn-deploy"
SCHEDULER_ROLE = "arn:aws:iam::123456789012:role/flowc-scheduler-test"
FLOWC = str(Path(sys.executable).with_name("flowc"))
_counter = itertools.count()


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Deployment:
    """One test's corner of the moto server: a branch, a datastore prefix, a queue."""

    server: MotoServer
    branch: str
    prefix: str
    queue_url: str

    @property
    def datastore(self) -> str:
        return f"s3://{BUCKET}/{self.prefix}"

    @property
    def options(self) -> list[str]:
        pairs = [
            "compute=callback",
            f"queue_url={self.queue_url}",
            f"scheduler_role_arn={SCHEDULER_ROLE}",
        ]
        return [a for p in pairs for a in ("--option", p)]

    def env(self, **extra: str) -> dict[str, str]:
        env = self.server.task_env()
        env.update(
            AWS_ENDPOINT_URL=self.server.endpoint,
            FLOWC_DATASTORE=self.datastore,
            FLOWC_SFN_ROLE_ARN=ROLE,
        )
        env.update(extra)
        return env

    def flowc(self, *args: str, **env: str) -> Result:
        """``flowc ARGS`` in this process (one boto3 import for the whole module), with
        the deployment's environment and the repository as working directory."""
        from click.testing import CliRunner

        from flowc.cli import cli

        cwd = os.getcwd()
        os.chdir(REPO)
        try:
            result = CliRunner().invoke(
                cli, list(args), env=self.env(**env), catch_exceptions=False
            )
        finally:
            os.chdir(cwd)
        return Result(result.exit_code, result.stdout, result.stderr)

    def deploy(self, flow: str = FLOW, *extra: str, **env: str) -> Result:
        return self.flowc(
            "deploy", flow, "--target", "stepfunctions", "--branch", self.branch,
            *self.options, *extra, **env,
        )  # fmt: skip

    def machine_arn(self, flow: str = "DeployedFlow") -> str:
        return (
            "arn:aws:states:us-east-1:123456789012:stateMachine:"
            f"deploy_e2e.test.{self.branch}.{flow}"
        )

    def workers(self) -> WorkerPool:
        return WorkerPool(self.server, self.queue_url, size=4)

    def store(self) -> object:
        return s3_store(self.server.client("s3"), BUCKET, self.prefix)


@pytest.fixture
def deployment(moto_server: MotoServer) -> Iterator[Deployment]:
    n = next(_counter)
    if n == 0:
        moto_server.client("s3").create_bucket(Bucket=BUCKET)
    queue = moto_server.client("sqs").create_queue(QueueName=f"flowc-deploy-{n}")["QueueUrl"]
    yield Deployment(moto_server, f"b{n}", f"deploy-{n}", queue)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens on it once the socket is closed


def test_deploy_trigger_status_same_artifacts_as_local_run(
    deployment: Deployment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = deployment.deploy()
    assert first.returncode == 0, first.stderr
    name = "deploy_e2e.test." + deployment.branch + ".DeployedFlow"
    assert f"state machine {name}: created" in first.stdout
    assert f"schedule {name}: created" in first.stdout
    again = deployment.deploy()
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stdout
    assert "created" not in again.stdout and "updated" not in again.stdout

    sfn = deployment.server.client("stepfunctions")
    schedule = deployment.server.client("scheduler").get_schedule(Name=name)
    assert schedule["ScheduleExpression"] == "cron(0 6 * * ? *)"
    assert schedule["Target"]["Arn"] == deployment.machine_arn()
    assert sfn.describe_state_machine(stateMachineArn=deployment.machine_arn())["roleArn"] == ROLE

    with deployment.workers():
        started = deployment.flowc(
            "trigger", FLOW, "--branch", deployment.branch, "--width", "4", "--who", "flowc"
        )
        assert started.returncode == 0, started.stderr
        pathspec = started.stdout.strip()
        flow, run_id = pathspec.split("/")
        assert flow == "DeployedFlow" and run_id.startswith("sfn-")
        status = deployment.flowc("status", pathspec, "--wait", "--timeout", "180")
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"{pathspec} on stepfunctions ({name}): SUCCEEDED" in status.stdout
    squares = [line for line in status.stdout.splitlines() if line.split()[0] == "square"]
    assert len(squares) == 4 and all("SUCCEEDED  attempts 1" in s for s in squares)

    code, local_run = run_local(FLOW, str(tmp_path / "local"), "--width", "4", "--who", "flowc")
    assert code == 0
    expected = artifacts(local_store(str(tmp_path / "local")), flow, local_run)
    assert artifacts(deployment.store(), flow, run_id) == expected

    from flowc.client import Run

    for key, value in deployment.env().items():
        monkeypatch.setenv(key, value)
    run = Run(pathspec, deployment.datastore, _namespace_check=False)
    assert run["end"].task["greeting"].data == "hello flowc: 14"


def test_changed_flow_updates_in_place_and_delete_removes_it(deployment: Deployment) -> None:
    assert deployment.deploy().returncode == 0
    changed = deployment.deploy(FLOW, "--option", "max_concurrency=2")
    assert changed.returncode == 0, changed.stderr
    assert ": updated" in changed.stdout and "schedule" in changed.stdout
    definition = deployment.server.client("stepfunctions").describe_state_machine(
        stateMachineArn=deployment.machine_arn()
    )["definition"]
    assert '"MaxConcurrency": 2' in definition

    gone = deployment.flowc(
        "delete", FLOW, "--target", "stepfunctions", "--branch", deployment.branch
    )
    assert gone.returncode == 0, gone.stderr
    assert gone.stdout.count(": deleted") == 2
    machines = deployment.server.client("stepfunctions").list_state_machines()["stateMachines"]
    assert deployment.machine_arn() not in [m["stateMachineArn"] for m in machines]
    again = deployment.flowc(
        "delete", FLOW, "--target", "stepfunctions", "--branch", deployment.branch
    )
    assert again.returncode == 0 and "nothing deployed" in again.stdout


def test_flow_with_errors_deploys_nothing(deployment: Deployment, tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text(
        (REPO / FLOW).read_text().replace("self.next(self.end)", "self.next(self.ennd)")
    )
    result = deployment.deploy(str(broken))
    assert result.returncode == 1
    assert "FC101" in result.stderr and "nothing was deployed" in result.stderr
    assert "Traceback" not in result.stderr
    machines = deployment.server.client("stepfunctions").list_state_machines()["stateMachines"]
    assert deployment.machine_arn() not in [m["stateMachineArn"] for m in machines]


def test_deploy_failing_half_way_reports_and_converges(deployment: Deployment) -> None:
    """The scheduler endpoint refuses connections: the state machine is created, the
    schedule fails, the rule is not applied; the next deploy creates only the schedule."""
    refused = f"http://127.0.0.1:{_closed_port()}"
    half = deployment.deploy(FLOW, AWS_ENDPOINT_URL_SCHEDULER=refused, AWS_MAX_ATTEMPTS="1")
    assert half.returncode == 1
    lines = half.stdout.splitlines()
    name = f"deploy_e2e.test.{deployment.branch}.DeployedFlow"
    assert lines[0] == f"state machine {name}: created"
    assert lines[1].startswith(f"schedule {name}: failed (scheduler get_schedule: ")
    assert lines[2] == f"rule {name}: not applied"
    assert "run the same command again" in half.stdout
    assert "Traceback" not in half.stdout + half.stderr

    converged = deployment.deploy()
    assert converged.returncode == 0, converged.stderr
    assert converged.stdout.splitlines()[:2] == [
        f"state machine {name}: unchanged",
        f"schedule {name}: created",
    ]


def test_trigger_with_a_wrong_parameter_type_starts_nothing(deployment: Deployment) -> None:
    assert deployment.deploy().returncode == 0
    refused = deployment.flowc("trigger", FLOW, "--branch", deployment.branch, "--width", "three")
    assert refused.returncode == 2
    assert "--width" in refused.stderr and "invalid int value 'three'" in refused.stderr
    unknown = deployment.flowc("trigger", FLOW, "--branch", deployment.branch, "--depth", "3")
    assert unknown.returncode == 2 and "no such option --depth" in unknown.stderr
    sfn = deployment.server.client("stepfunctions")
    assert sfn.list_executions(stateMachineArn=deployment.machine_arn())["executions"] == []
    elsewhere = deployment.flowc(
        "trigger", FLOW, "--target", "stepfunctions", "--branch", "nowhere"
    )
    assert elsewhere.returncode == 1
    assert "no state machine deploy_e2e.test.nowhere.DeployedFlow" in elsewhere.stderr
    assert "deploy the flow first" in elsewhere.stderr
    bad_branch = deployment.flowc("trigger", FLOW, "--target", "stepfunctions", "--branch", "a-b")
    assert bad_branch.returncode == 1 and "branch name must contain only" in bad_branch.stderr


def test_missing_credentials_name_where_they_come_from(
    deployment: Deployment, tmp_path: Path
) -> None:
    env = {k: v for k, v in deployment.env().items() if not k.startswith("AWS_")}
    env.update(
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_REGION="us-east-1",
    )
    result = subprocess.run(
        [FLOWC, "deploy", FLOW, "--target", "stepfunctions", *deployment.options],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "no AWS credentials" in result.stderr and "AWS_ACCESS_KEY_ID" in result.stderr
    assert "Traceback" not in result.stderr
    profile = deployment.flowc(
        "deploy", FLOW, "--target", "stepfunctions", "--option", "profile=nowhere"
    )
    assert profile.returncode == 1 and "AWS profile 'nowhere'" in profile.stderr


def test_status_shows_retries_and_terminate_stops_a_run(deployment: Deployment) -> None:
    flaky_machine = deployment.flowc(
        "deploy", FLAKY, "--target", "stepfunctions", *deployment.options,
        "--option", f"state_machine_name=flaky-{deployment.branch}",
    )  # fmt: skip
    assert flaky_machine.returncode == 0, flaky_machine.stderr
    with deployment.workers():
        started = deployment.flowc("trigger", FLAKY, "--target", "stepfunctions")
        assert started.returncode == 0, started.stderr
        status = deployment.flowc("status", started.stdout.strip(), "--wait", "--timeout", "120")
    assert status.returncode == 0, status.stdout + status.stderr
    tasks = {line.split()[0]: line for line in status.stdout.splitlines()[1:]}
    assert "attempts 3" in tasks["flaky"] and "SUCCEEDED" in tasks["flaky"]
    as_json = json.loads(
        deployment.flowc("status", started.stdout.strip(), "--format", "json").stdout
    )
    assert (as_json["state"], as_json["engine_state"]) == ("SUCCEEDED", "SUCCEEDED")
    assert [(t["step"], t["attempts"]) for t in as_json["tasks"]] == [
        ("start", 1),
        ("flaky", 3),
        ("end", 1),
    ]

    # No workers answer now: the run waits at its first task until it is stopped.
    waiting = deployment.flowc("trigger", FLAKY, "--target", "stepfunctions")
    pathspec = waiting.stdout.strip()
    stopped = deployment.flowc("terminate", pathspec)
    assert stopped.returncode == 0, stopped.stderr
    final = deployment.flowc("status", pathspec, "--wait", "--timeout", "30")
    assert final.returncode == 1
    assert "TERMINATED [ABORTED]" in final.stdout


def test_deployer_api_create_trigger_wait_and_find_again(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Metaflow's Deployer shape, imported as Metaflow flows import it."""
    from metaflow import DeployedFlow, Deployer

    from flowc.deploy import ParameterValueError

    for key, value in deployment.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(REPO)
    deployer = Deployer(FLOW, show_output=False).step_functions()
    deployed = deployer.create(
        branch=deployment.branch,
        compute="callback",
        queue_url=deployment.queue_url,
        scheduler_role_arn=SCHEDULER_ROLE,
    )
    assert (deployed.name, deployed.flow_name) == (
        f"deploy_e2e.test.{deployment.branch}.DeployedFlow",
        "DeployedFlow",
    )
    with pytest.raises(ParameterValueError, match="'width': invalid int value 'wide'"):
        deployed.trigger(width="wide")
    with pytest.raises(ParameterValueError, match="expected int, got float"):
        deployed.trigger(width=2.5)
    with pytest.raises(ParameterValueError, match="no parameter 'depth'"):
        deployed.trigger(depth=1)
    sfn = deployment.server.client("stepfunctions")
    assert sfn.list_executions(stateMachineArn=deployment.machine_arn())["executions"] == []

    with deployment.workers():
        triggered = deployed.trigger(width=2, who="api")
        assert triggered.pathspec.startswith("DeployedFlow/sfn-")
        run = triggered.wait_for_run(check_interval=0.5, timeout=120)
        assert run.pathspec == triggered.pathspec
        final = triggered.wait_for_completion(check_interval=0.5, timeout=180)
    assert final.state.value == "SUCCEEDED" and triggered.status == "SUCCEEDED"
    assert triggered.run["end"].task["greeting"].data == "hello api: 1"

    # No workers answer now: the run waits at its first task until it is stopped.
    waiting = deployed.trigger()
    assert waiting.terminate() is True
    stopped = waiting.wait_for_completion(check_interval=0.5, timeout=60)
    assert (stopped.state.value, stopped.engine_state) == ("TERMINATED", "ABORTED")

    again = DeployedFlow.from_deployment(deployed.name)
    assert (again.target, again.flow_name) == ("stepfunctions", "DeployedFlow")
    found = DeployedFlow.get_triggered_run(deployed.name, triggered.name)
    assert found.status == "SUCCEEDED"
    assert again.delete() is True
    with pytest.raises(Exception, match="no engine"):
        DeployedFlow.from_deployment(deployed.name)


def test_trigger_rule_is_created_kept_and_removed_with_the_decorator(
    deployment: Deployment, tmp_path: Path
) -> None:
    """@trigger deploys an EventBridge rule targeting the machine; redeploying leaves it
    alone; the same flow without @trigger deletes it."""
    machine = f"triggered-{deployment.branch}"
    options = [
        "--option", f"state_machine_name={machine}",
        "--option", f"events_role_arn={ROLE}",
    ]  # fmt: skip
    flow = "tests/stepfunctions/flows/optional_trigger.py"

    def deploy(path: str) -> Result:
        return deployment.flowc(
            "deploy", path, "--target", "stepfunctions", *deployment.options, *options
        )

    first = deploy(flow)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"rule {machine}: created" in first.stdout
    events = deployment.server.client("events")
    rule = events.describe_rule(Name=machine)
    assert json.loads(rule["EventPattern"]) == {"detail-type": ["data.ready"]}
    (target,) = events.list_targets_by_rule(Rule=machine)["Targets"]
    assert target["Arn"].endswith(f":stateMachine:{machine}") and target["RoleArn"] == ROLE
    assert "nothing changed" in deploy(flow).stdout

    untriggered = tmp_path / "optional_trigger.py"
    untriggered.write_text((REPO / flow).read_text().replace('@trigger(event="data.ready")\n', ""))
    removed = deploy(str(untriggered))
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert f"rule {machine}: deleted" in removed.stdout
    assert f"state machine {machine}: updated" in removed.stdout
    assert machine not in [r["Name"] for r in events.list_rules()["Rules"]]
