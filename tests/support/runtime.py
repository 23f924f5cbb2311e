"""Helpers for the runtime tests: run a flow with the local runner into a scratch datastore."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "tests", "runtime")  # the runtime tests: flows/, expected/


@dataclass
class LocalRun:
    run_id: str
    ok: bool
    datastore: str
    flow: str
    result: Any


def run_local(
    flow_file: str,
    args: list[str] | None = None,
    *,
    cwd: str,
    datastore: str | None = None,
    max_workers: int = 4,
    origin: str | None = None,
    resume_step: str | None = None,
    executor: str = "fork",
    tags: list[str] | None = None,
) -> LocalRun:
    """Run a flow like ``flowc run --local`` (or ``flowc resume``) does, quietly."""
    from flowc.commands.run import load_ir, parse_parameters
    from flowc.runner import LocalRunner, Reporter, RunOptions, resume_plan
    from runtime_shim.datastore import open_object_store
    from runtime_shim.datastore.layout import FlowDatastore

    path = flow_file if os.path.isabs(flow_file) else os.path.join(ROOT, flow_file)
    ir = load_ir(path, None)
    params = parse_parameters(ir, list(args or []), ())
    store = datastore or os.path.join(cwd, ".flowc")
    clone: set[str] = set()
    if origin:
        clone = resume_plan(
            ir, FlowDatastore(open_object_store(store), ir.name), origin, resume_step
        )
    options = RunOptions(
        flow_file=path,
        datastore=store,
        params=params,
        max_workers=max_workers,
        origin_run_id=origin,
        clone_steps=clone,
        executor=executor,
        cwd=cwd,
        tags=list(tags or []),
    )
    result = LocalRunner(ir, options, Reporter()).run()
    return LocalRun(result.run_id, result.ok, store, ir.name, result)


def copy_files(files: list[str], target: str) -> None:
    for name in files:
        shutil.copy(os.path.join(ROOT, name), target)
