"""Helpers shared by the Argo tests: compile a flow, run it locally, read its artifacts."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from backends.argo import BACKEND
from backends.base import EmitResult, TargetOptions
from flowc.compiler import analyze_file
from flowc.ir import FlowIR

REPO = Path(__file__).resolve().parents[2]
SHAPES_DIR = REPO / "tests" / "shapes"
SHAPES = sorted(p.stem for p in SHAPES_DIR.glob("*.py") if not p.stem.startswith("_"))
FLOWS_DIR = REPO / "tests" / "argo" / "flows"
FLOWC = str(Path(sys.executable).with_name("flowc"))


@functools.cache
def load_ir(path: str) -> FlowIR:
    """The IR of a flow file (relative to the repository root), analysed once."""
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        analysis = analyze_file(path)
    finally:
        os.chdir(cwd)
    assert analysis.ir is not None, [d.message for d in analysis.diagnostics]
    return analysis.ir


def shape_path(shape: str) -> str:
    return f"tests/shapes/{shape}.py"


# Tasks of a real cluster share an object store; a local root would draw FC306.
DATASTORE = "s3://flowc-artifacts/flows"


def emit(path: str, **options: Any) -> EmitResult:
    extra = options.pop("extra", {})
    options.setdefault("datastore_root", DATASTORE)
    return BACKEND.emit(load_ir(path), TargetOptions(extra=extra, **options))


def manifest(path: str, **options: Any) -> str:
    result = emit(path, **options)
    assert len(result.files) == 1, [d.message for d in result.diagnostics]
    return result.files[0].content


def run_local(path: str, datastore: str, *args: str) -> tuple[int, str]:
    """``flowc run --local``; returns (exit code, run id)."""
    proc = subprocess.run(
        [FLOWC, "run", path, "--datastore", datastore, "-q", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = proc.stdout.strip().splitlines()
    return proc.returncode, lines[-1] if lines else ""


def _normal(value: Any) -> Any:
    if isinstance(value, BaseException) or type(value).__name__.endswith("ExceptionWrapper"):
        return {"__exception__": type(value).__name__}
    return value


def artifacts(datastore: str, flow: str, run: str) -> dict[str, dict[str, Any]]:
    """Every committed task's artifacts: ``{"step/task": {name: value}}``."""
    from runtime_shim.datastore import open_object_store
    from runtime_shim.datastore.layout import FlowDatastore

    ds = FlowDatastore(open_object_store(datastore), flow)
    out: dict[str, dict[str, Any]] = {}
    for step in ds.list_steps(run):
        for task in ds.list_tasks(run, step):
            if not ds.is_committed(run, step, task):
                continue
            refs = ds.artifacts(run, step, task)
            out[f"{step}/{task}"] = {
                name: _normal(ds.load_value(ref)) for name, ref in refs.items()
            }
    return out
