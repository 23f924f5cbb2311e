"""Helpers shared by the Argo tests: compile a flow, run it locally, read its artifacts."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from backends.argo import BACKEND
from backends.base import EmitResult, TargetOptions
from flowc.compiler import analyze_file
from flowc.ir import FlowIR
from tests.support import runs
from tests.support.runs import local_store

REPO = Path(__file__).resolve().parents[2]
SHAPES_DIR = REPO / "tests" / "shapes"
SHAPES = sorted(p.stem for p in SHAPES_DIR.glob("*.py") if not p.stem.startswith("_"))
FLOWS_DIR = REPO / "tests" / "argo" / "flows"


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


def artifacts(datastore: str, flow: str, run: str) -> dict[str, dict[str, Any]]:
    """Every committed task's artifacts of a run in the datastore at ``datastore``."""
    return runs.artifacts(local_store(datastore), flow, run)
