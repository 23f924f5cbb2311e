"""@pypi on Argo: each container bootstraps its step's locked environment before the
step (the harness runs the pods' commands for real, uv installing from PyPI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.argo import BACKEND
from backends.base import TargetOptions
from tests.support import step_envs
from tests.support.argo import artifacts
from tests.support.argo_harness import Harness

pytestmark = pytest.mark.network


def test_each_pod_runs_its_step_in_its_locked_environment(tmp_path: Path) -> None:
    flow = step_envs.locked_flow(tmp_path / "flow")
    ir = step_envs.load(flow)
    options = TargetOptions(
        datastore_root=str(tmp_path / "ds"),
        environments=step_envs.addresses(ir, flow),
        extra={"kind": "Workflow", "flow_file": flow.name},
    )
    result = BACKEND.emit(ir, options)
    assert [d.message for d in result.diagnostics if d.severity.value == "error"] == []
    (emitted,) = result.files
    assert emitted.content.count("--environment") == 2
    cache = tmp_path / "pod-cache"
    harness = Harness.from_yaml(
        emitted.content,
        cwd=str(flow.parent),
        workflow_name="step-envs-1",
        extra_env={"FLOWC_ENV_CACHE": str(cache)},
    )
    run = harness.submit()
    logs = "\n".join(n.stderr[-3000:] for n in run.nodes if n.stderr)
    assert run.phase == "Succeeded", run.message + "\n" + logs
    got = artifacts(str(tmp_path / "ds"), step_envs.FLOW, "step-envs-1")
    for step, seen in step_envs.EXPECTED.items():
        assert got[f"{step}/_"]["seen"] == seen, step
    for step, values in step_envs.ARTIFACTS.items():
        for name, value in values.items():
            assert got[f"{step}/_"][name] == value
    assert step_envs.built(cache) == sorted(options.environments.values())
    assert logs.count("building environment") == 2
    # A second run finds both environments in the cache and builds nothing.
    again = Harness.from_yaml(
        emitted.content,
        cwd=str(flow.parent),
        workflow_name="step-envs-2",
        extra_env={"FLOWC_ENV_CACHE": str(cache)},
    ).submit()
    assert again.phase == "Succeeded", again.message
    assert not any("building environment" in n.stderr for n in again.nodes)


def test_the_lock_travels_in_the_code_package(tmp_path: Path) -> None:
    """A plain image: the pod has neither the flow nor its lock, only the code package the
    spec names; the lock inside it is the one the spec's addresses pin."""
    import subprocess
    import sys

    flow = step_envs.locked_flow(tmp_path / "flow")
    packaged = subprocess.run(
        [sys.executable, "-m", "flowc.cli", "package", str(flow), "--datastore", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert packaged.returncode == 0, packaged.stderr
    url = packaged.stdout.strip().splitlines()[-1]
    ir = step_envs.load(flow)
    options = TargetOptions(
        datastore_root=str(tmp_path / "ds"),
        code_package=url,
        environments=step_envs.addresses(ir, flow),
        extra={"kind": "Workflow", "flow_file": flow.name},
    )
    (emitted,) = BACKEND.emit(ir, options).files
    pod = tmp_path / "pod"
    pod.mkdir()
    run = Harness.from_yaml(
        emitted.content,
        cwd=str(pod),
        workflow_name="step-envs-pkg",
        extra_env={
            "FLOWC_ENV_CACHE": str(tmp_path / "pod-cache"),
            "FLOWC_CODE_PACKAGE_DIR": str(tmp_path / "code"),
        },
    ).submit()
    logs = "\n".join(n.stderr[-3000:] for n in run.nodes if n.stderr)
    assert run.phase == "Succeeded", run.message + "\n" + logs
    got = artifacts(str(tmp_path / "ds"), step_envs.FLOW, "step-envs-pkg")
    for step, seen in step_envs.EXPECTED.items():
        assert got[f"{step}/_"]["seen"] == seen, step
    assert logs.count("building environment") == 2
