"""Running a flow with ``flowc run --local`` and reading back what a run committed.

Every target's execution tests compare the artifacts an engine produced with those of a
local run of the same flow; both sides are read here, the same way.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
FLOWC = str(Path(sys.executable).with_name("flowc"))


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


#: A flow whose every task records ``current.project_*`` (as the artifact ``fields``).
PROJECT_FLOW = "tests/runtime/flows/project_fields.py"


def project_fields(found: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The distinct ``current.project_*`` the tasks of a ``PROJECT_FLOW`` run saw, after
    checking that every one of its tasks (start, 2 bodies, join, end) recorded them."""
    assert sorted(k.split("/")[0] for k in found if "fields" in found[k]) == [
        "body",
        "body",
        "end",
        "join",
        "start",
    ], sorted(found)
    distinct: list[dict[str, Any]] = []
    for values in found.values():
        if values["fields"] not in distinct:
            distinct.append(values["fields"])
    return distinct
