"""Helpers for the Airflow tests: compile flows, run them locally, read datastores."""

from __future__ import annotations

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
    ds = _flow_datastore(datastore, flow)
    found: dict[str, dict[str, str]] = {}
    for step in ds.list_steps(run_id):
        for task in ds.list_tasks(run_id, step):
            record = ds.committed(run_id, step, task)
            if record is not None:
                refs = ds.artifacts(run_id, step, task, record)
                found[f"{step}/{task}"] = {name: ref.sha for name, ref in refs.items()}
    return found


def value(datastore: Path, flow: str, sha: str) -> Any:
    """An artifact's value by its content address: its blob, or a small value kept in a
    task's record (runtime_shim.datastore.layout)."""
    from runtime_shim.datastore.layout import decode

    blob = datastore / flow / "blobs" / sha[:2] / sha
    if blob.exists():
        return decode(blob.read_bytes())
    ds = _flow_datastore(datastore, flow)
    for run_id in ds.list_runs():
        for step in ds.list_steps(run_id):
            for task in ds.list_tasks(run_id, step):
                record = ds.committed(run_id, step, task)
                refs = ds.artifacts(run_id, step, task, record) if record else {}
                for ref in refs.values():
                    if ref.sha == sha:
                        return ds.load_value(ref)
    raise KeyError(f"no artifact {sha} in {datastore}/{flow}")


def _flow_datastore(datastore: Path, flow: str) -> Any:
    from runtime_shim.datastore import open_object_store
    from runtime_shim.datastore.layout import FlowDatastore

    return FlowDatastore(open_object_store(str(datastore)), flow)
