"""Helpers shared by the Step Functions tests: compile, validate, run locally, read artifacts."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from backends.base import EmitResult, TargetOptions
from backends.stepfunctions import BACKEND
from flowc.compiler import analyze_file
from flowc.ir import FlowIR

REPO = Path(__file__).resolve().parents[2]
HERE = REPO / "tests" / "stepfunctions"
SHAPES = sorted(
    p.stem for p in (REPO / "tests" / "shapes").glob("*.py") if not p.stem.startswith("_")
)
FLOWS_DIR = HERE / "flows"
GOLDEN_DIR = HERE / "golden"
FLOWC = str(Path(sys.executable).with_name("flowc"))
ASL_VALIDATOR = REPO / "tools" / "asl-validator" / "node_modules" / ".bin" / "asl-validator"
GOLDEN_ROOT = "s3://flowc-golden/data"


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


def flow_path(name: str) -> str:
    return str((FLOWS_DIR / f"{name}.py").relative_to(REPO))


def emit(path: str, **options: Any) -> EmitResult:
    extra = options.pop("extra", {})
    options.setdefault("datastore_root", GOLDEN_ROOT)
    return BACKEND.emit(load_ir(path), TargetOptions(extra=extra, **options))


def definition(path: str, **options: Any) -> str:
    result = emit(path, **options)
    asl = [f for f in result.files if f.path.endswith(".asl.json")]
    assert len(asl) == 1, [d.message for d in result.diagnostics]
    return asl[0].content


def asl_validator_errors(paths: list[Path]) -> str | None:
    """Run the npm asl-validator on files; None if all are valid, else its report."""
    proc = subprocess.run(
        [str(ASL_VALIDATOR), *(a for p in paths for a in ("--json-path", str(p)))],
        capture_output=True,
        text=True,
        check=False,
    )
    return None if proc.returncode == 0 else proc.stdout + proc.stderr


def has_asl_validator() -> bool:
    return ASL_VALIDATOR.exists() and shutil.which("node") is not None


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


def artifacts(store: Any, flow: str, run: str) -> dict[str, dict[str, Any]]:
    """Every committed task's artifacts: ``{"step/task": {name: value}}``."""
    from runtime_shim.datastore.layout import FlowDatastore

    ds = FlowDatastore(store, flow)
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


def local_store(path: str) -> Any:
    from runtime_shim.datastore import open_object_store

    return open_object_store(path)


def s3_store(client: Any, bucket: str, prefix: str) -> Any:
    from runtime_shim.datastore.s3 import S3ObjectStore

    return S3ObjectStore(bucket, prefix, client=client)


def pretty(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True, default=repr)[:6000]
