"""Helpers for the Airflow tests: compile flows, run them locally, read datastores."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from backends.base import TargetOptions, get_backend
from flowc.compiler import analyze_file
from flowc.ir import FlowIR


def load_ir(flow_file: Path) -> FlowIR:
    analysis = analyze_file(str(flow_file))
    assert analysis.ir is not None, analysis.diagnostics
    return analysis.ir


def compile_dag(
    flow_file: Path,
    out_dir: Path,
    datastore: Path,
    operator: str = "local",
    python: str = sys.executable,
    target: dict[str, Any] | None = None,
    **extra: Any,
) -> tuple[Path, str]:
    """Compile ``flow_file`` into ``out_dir``; returns the DAG file and its DAG id."""
    ir = load_ir(flow_file)
    # Fake pods run on this machine, so they find the flow where it is.
    extra.setdefault("flow_file", str(flow_file))
    options = TargetOptions(
        datastore_root=str(datastore),
        python=python,
        extra={"operator": operator, **extra},
        **(target or {}),
    )
    result = get_backend("airflow").emit(ir, options)
    assert result.files, result.diagnostics
    (emitted,) = result.files
    path = out_dir / emitted.path
    path.write_text(emitted.content, encoding="utf-8")
    # The file is named after the DAG id (under @project: PROJECT.BRANCH.FLOW).
    return path, emitted.path.removesuffix(".py")


def run_local(flow_file: Path, datastore: Path, params: dict[str, str] | None = None) -> str:
    """``flowc run --local``; returns the run id."""
    command = [
        sys.executable,
        "-m",
        "flowc.cli",
        "run",
        "--local",
        str(flow_file),
        "--datastore",
        str(datastore),
        "-q",
    ]
    for name, value in (params or {}).items():
        command += ["--param", f"{name}={value}"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip().splitlines()[-1]


def artifacts(datastore: Path, flow: str, run_id: str) -> dict[str, dict[str, str]]:
    """``{"step/task": {artifact: sha}}`` for every committed task of a run."""
    run_dir = datastore / flow / "runs" / run_id
    found: dict[str, dict[str, str]] = {}
    for committed in sorted(run_dir.glob("*/*/committed.json")):
        record = json.loads(committed.read_text())
        attempt = committed.parent / f"attempt-{record['attempt']}" / "artifacts.json"
        names = json.loads(attempt.read_text())
        key = f"{committed.parent.parent.name}/{committed.parent.name}"
        found[key] = {name: meta["sha"] for name, meta in names.items()}
    return found


def value(datastore: Path, flow: str, sha: str) -> Any:
    """An artifact's value, decoded as the runtime shim stores it."""
    from runtime_shim.datastore.layout import decode

    return decode((datastore / flow / "blobs" / sha[:2] / sha).read_bytes())
