"""Whole flows run with ``flowc run --local --datastore s3://...`` on SeaweedFS.

The results must equal a run of the same flow on a local directory, task by task and
artifact by artifact, and the client and the read-side CLI must work on the S3 run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, TEST_BUCKET, unique_prefix

pytestmark = [pytest.mark.slow, pytest.mark.seaweedfs]
SHAPES = [
    ("recursive_switch_in_foreach", "RecursiveSwitchInForeachFlow"),
    ("nested_foreach3", "NestedForeach3Flow"),
]


def flowc(*args: str, env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flowc.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"flowc {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def snapshot(flow: str, run_id: str, root: str) -> dict[str, dict[str, dict[str, Any]]]:
    """{step: {task: {artifact: value}}} of every committed task of a run."""
    from flowc.client import Run

    run = Run(f"{flow}/{run_id}", datastore=root)
    assert run.successful
    return {step.id: {task.id: {a.id: a.data for a in task} for task in step} for step in run}


@pytest.mark.parametrize(("shape", "flow"), SHAPES)
def test_flow_on_s3_equals_local_run(
    shape: str, flow: str, seaweed_env: dict[str, str], tmp_path: Path
) -> None:
    flow_file = str(REPO / "tests" / "shapes" / f"{shape}.py")
    s3_root = f"s3://{TEST_BUCKET}/{unique_prefix()}"
    local_root = str(tmp_path / "local")
    env = {**seaweed_env, "PYTHONPATH": str(REPO)}
    s3_run = flowc("run", flow_file, "--datastore", s3_root, "-q", env=env, cwd=tmp_path).strip()
    local_run = flowc(
        "run", flow_file, "--datastore", local_root, "-q", env=env, cwd=tmp_path
    ).strip()
    on_s3 = snapshot(flow, s3_run, s3_root)
    assert on_s3 == snapshot(flow, local_run, local_root)
    assert sum(len(tasks) for tasks in on_s3.values()) > len(on_s3)  # foreach tasks ran
    # Nothing of the run was written locally.
    assert not os.path.exists(tmp_path / ".flowc")


def test_cli_reads_an_s3_run(seaweed_env: dict[str, str], tmp_path: Path) -> None:
    flow_file = str(REPO / "tests" / "shapes" / "linear.py")
    root = f"s3://{TEST_BUCKET}/{unique_prefix()}"
    env = {**seaweed_env, "PYTHONPATH": str(REPO)}
    run_id = flowc("run", flow_file, "--datastore", root, "-q", env=env, cwd=tmp_path).strip()
    assert run_id in flowc("runs", "LinearFlow", "--datastore", root, env=env, cwd=tmp_path)
    shown = flowc(
        "inspect", f"LinearFlow/{run_id}/end/_", "--datastore", root, env=env, cwd=tmp_path
    )
    assert "result" in shown and "'x': 22" in shown
    flowc("logs", f"LinearFlow/{run_id}/end/_", "--datastore", root, env=env, cwd=tmp_path)
    # Resume from a middle step: earlier tasks are reused by reference from the S3 run.
    resumed = flowc(
        "resume",
        flow_file,
        run_id,
        "--step",
        "b",
        "--datastore",
        root,
        "-q",
        env=env,
        cwd=tmp_path,
    ).strip()
    assert resumed != run_id
    assert snapshot("LinearFlow", resumed, root) == snapshot("LinearFlow", run_id, root)
