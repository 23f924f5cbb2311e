"""``AirflowTarget`` against a real Airflow 3 deployment: the API server, the scheduler
(LocalExecutor) and the DAG processor on PostgreSQL (tools/airflow_stack.py), with the
flows' datastore on SeaweedFS.

Starting the deployment costs 30-60 s, so everything that needs it is one test (under
``pytest -n 2`` two tests could land on two workers and start two deployments): flows
are deployed and triggered together and checked while the scheduler runs them.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from flowc.deploy import (
    CompiledDeployment,
    DeployConfigError,
    DeployError,
    EmittedFile,
    ParameterValueError,
    ResourceChange,
    RunState,
)
from flowc.deploy._dags_folder import open_dags_folder
from flowc.deploy._operations import find_run
from flowc.deploy.airflow import AirflowTarget
from flowc.deploy.deployer import Deployer

REPO = Path(__file__).resolve().parents[2]
FLOWS = Path(__file__).with_name("flows")
BUCKET = "flowc-airflow-deploy"

pytestmark = [pytest.mark.airflow, pytest.mark.slow, pytest.mark.seaweedfs]


def _tool(name: str) -> ModuleType:
    """A module of tools/ (stand-alone scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"flowc_{name}", REPO / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    tool = _tool("seaweedfs")
    tool.find_weed()
    server = tool.start_seaweedfs(str(tmp_path_factory.mktemp("seaweedfs")))
    try:
        server.client().create_bucket(Bucket=BUCKET)
        yield server
    finally:
        server.stop(grace=5)


@pytest.fixture(scope="module")
def stack(seaweed: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The running deployment. Its workers run the shim with the project's interpreter
    (first on PATH, as on a worker image with flowc installed) against SeaweedFS."""
    tool = _tool("airflow_stack")
    worker_env = {
        **seaweed.env(),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(REPO),
    }
    deployment = tool.start_airflow(str(tmp_path_factory.mktemp("airflow")), extra_env=worker_env)
    print(f"Airflow deployment started in {deployment.started_in:.1f} s")
    try:
        yield deployment
    finally:
        deployment.stop()


def _snapshot(flow: str, run_id: str, root: str) -> dict[str, dict[str, dict[str, Any]]]:
    """{step: {task: {artifact: value}}} of every committed task, through the client."""
    from flowc.client import Run

    run = Run(f"{flow}/{run_id}", datastore=root)
    assert run.successful
    return {step.id: {task.id: {a.id: a.data for a in task} for task in step} for step in run}


def _local_run(flow_file: Path, root: str, env: dict[str, str], *params: str) -> Any:
    """``flowc run`` of the same flow, started now and read later (it runs while the
    scheduler runs the deployed one)."""
    command = [sys.executable, "-m", "flowc.cli", "run", str(flow_file), "--datastore", root]
    return subprocess.Popen(
        [*command, "-q", *params],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_id(process: Any) -> str:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, out + err
    return str(out.strip().splitlines()[-1])


def _flowc(env: dict[str, str], *args: str, expect: int = 0) -> str:
    """A ``flowc`` command; its stdout (stderr too when the exit code is not ``expect``)."""
    done = subprocess.run(
        [sys.executable, "-m", "flowc.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == expect, f"flowc {' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _broken(path: str) -> CompiledDeployment:
    """A DAG file that compiles as Python but fails when Airflow imports it (as a DAG
    needing a provider the deployment lacks would); ``airflow``/``dag`` are named so the
    DAG processor's safe mode reads it."""
    content = (
        '"""An airflow dag that fails at import."""\n\nimport os\n\nraise ValueError("boom")\n'
    )
    return CompiledDeployment(
        target="airflow",
        flow_file=path,
        flow_name="BrokenFlow",
        deployed_name="BrokenFlow",
        files=(EmittedFile(path, content),),
        parameters=(),
    )


def test_deploy_trigger_status_on_a_real_scheduler(
    stack: Any, seaweed: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, setting in {**seaweed.env(), **stack.client_env()}.items():
        monkeypatch.setenv(name, setting)
    target = AirflowTarget.from_environment({"parse_timeout": "90"})
    root = f"s3://{BUCKET}/deployed"

    # The foreach flow goes through Metaflow's Deployer API.
    flow_file = str(FLOWS / "deploy_foreach.py")
    deployer = Deployer(flow_file, show_output=False, env=stack.client_env()).airflow()
    began = time.monotonic()
    deployed_flow = deployer.create(operator="local", datastore=root)
    parsed_in = time.monotonic() - began
    assert deployer.outcome is not None
    created = deployer.outcome.resources
    assert [r.change for r in created] == [ResourceChange.CREATED] * 2, created
    # Deploying the same flow again is a no-op.
    deployer.create(operator="local", datastore=root)
    assert not deployer.outcome.changed, deployer.outcome
    triggered = time.monotonic()
    with pytest.raises(ParameterValueError):
        deployed_flow.trigger(width="three")
    triggered_run = deployed_flow.trigger(width=3, word="xy")
    ref = triggered_run.ref
    assert ref.pathspec == f"DeployForeachFlow/{ref.run_id}"

    # The failing flow goes through the command line, as a user deploys it.
    env = {**os.environ, **seaweed.env(), **stack.client_env(), "PYTHONPATH": str(REPO)}
    cli_root = f"s3://{BUCKET}/cli"
    failing_flow = str(FLOWS / "retry_then_fail.py")
    where = ("--datastore", cli_root)
    deployed_lines = _flowc(
        env, "deploy", failing_flow, "--target", "airflow", "--option", "operator=local", *where
    )
    assert "DAG RetryThenFailFlow: created" in deployed_lines, deployed_lines
    failing_run = _flowc(env, "trigger", failing_flow, *where).strip()
    assert failing_run.startswith("RetryThenFailFlow/airflow-"), failing_run

    local_root = str(tmp_path / "local")
    flags = ("--param", "width=3", "--param", "word=xy")
    local_run = _local_run(FLOWS / "deploy_foreach.py", local_root, env, *flags)
    # A third run is stopped at once: Airflow marks it failed, flowc reads TERMINATED.
    stopped = _flowc(env, "trigger", failing_flow, *where).strip()
    _flowc(env, "terminate", stopped, *where)
    assert ": TERMINATED [failed]" in _flowc(env, "status", stopped, *where)

    # While those run: a file Airflow cannot import is reported with its line, and taken
    # out of the DAGs folder again.
    with pytest.raises(DeployError, match=r"BrokenFlow\.py:5: ValueError: boom"):
        target.deploy(_broken("BrokenFlow.py"))
    assert not (Path(stack.dags_folder) / "BrokenFlow.py").exists()

    done = triggered_run.wait_for_completion(check_interval=1, timeout=200)
    assert done.state is RunState.SUCCEEDED, done
    print(f"foreach run succeeded {time.monotonic() - triggered:.1f} s after its trigger")
    steps = {t.step: t for t in done.tasks}
    assert set(steps) == {"start", "work", "join", "end"}
    assert steps["work"].detail == "3 tasks: success"
    assert triggered_run.run.successful

    local = _run_id(local_run)
    deployed = _snapshot("DeployForeachFlow", ref.run_id, root)
    assert deployed == _snapshot("DeployForeachFlow", local, local_root)
    ((end_task,),) = [list(deployed["end"].values())]
    assert end_task["total"] == 2 + 4 + 6

    # The retries and the final failure, as `flowc status` shows them.
    shown = _flowc(env, "status", failing_run, *where, "--wait", "--timeout", "150", expect=1)
    assert f"{failing_run} on airflow (RetryThenFailFlow): FAILED [failed]" in shown, shown
    lines = {line.split()[0]: line.split()[1:] for line in shown.splitlines()[1:]}
    assert lines["start"][:3] == ["SUCCEEDED", "attempts", "1"], shown
    assert lines["broken"][:3] == ["FAILED", "attempts", "2"], shown
    assert lines["end"][0] == "FAILED", shown  # upstream_failed
    failing_ref = find_run(failing_run, cli_root)
    log = target.task_log(failing_ref, "broken", attempt=2)
    assert "attempt 1 fails on purpose" in log, log

    removed = target.delete(deployed_flow.name)
    assert [r.change for r in removed.resources] == [ResourceChange.DELETED] * 2, removed
    assert not (Path(stack.dags_folder) / "DeployForeachFlow.py").exists()
    print(f"first deploy parsed in {parsed_in:.1f} s")

    # An s3:// DAGs folder (what an S3 DAG bundle reads) on the same SeaweedFS.
    folder = open_dags_folder(f"s3://{BUCKET}/dags")
    assert folder.read("DeployForeachFlow.py") is None
    content = (Path(stack.dags_folder) / "RetryThenFailFlow.py").read_text(encoding="utf-8")
    folder.write("DeployForeachFlow.py", content)
    assert folder.read("DeployForeachFlow.py") == content
    assert folder.remove("DeployForeachFlow.py") and not folder.remove("DeployForeachFlow.py")


def test_missing_settings_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AIRFLOW_API_URL", "AIRFLOW_API_TOKEN", "AIRFLOW_USERNAME", "AIRFLOW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(DeployConfigError, match="AIRFLOW_API_URL"):
        AirflowTarget.from_environment({})
    monkeypatch.setenv("AIRFLOW_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AIRFLOW_USERNAME", "someone")
    with pytest.raises(DeployConfigError, match="AIRFLOW_PASSWORD not set"):
        AirflowTarget.from_environment({})
    target = AirflowTarget.from_environment({"token": "t"})
    with pytest.raises(DeployConfigError, match="FLOWC_AIRFLOW_DAGS_FOLDER"):
        target.deploy(_broken("BrokenFlow.py"))
