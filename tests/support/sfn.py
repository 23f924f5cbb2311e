"""Helpers shared by the Step Functions tests: compile, validate, run locally, read artifacts."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
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


def s3_store(client: Any, bucket: str, prefix: str) -> Any:
    from runtime_shim.datastore.s3 import S3ObjectStore

    return S3ObjectStore(bucket, prefix, client=client)


def pretty(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True, default=repr)[:6000]
