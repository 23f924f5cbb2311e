"""``flowc runs``, ``flowc logs``, ``flowc inspect`` and ``show_run`` (for ``flowc show RUN``).

Tasks are named by pathspec: ``FLOW/RUN/STEP/TASK`` or, when the run id is unique in
the datastore, ``RUN/STEP/TASK``; TASK is the index path (``_`` or empty at top level,
``3.1`` in nested foreaches, ``3@2`` for iteration 2 of a recursive step).
"""

from __future__ import annotations

import os
import time
from typing import Any

import click

datastore_option = click.option(
    "--datastore",
    metavar="URL",
    default=None,
    help="Datastore root (default: $FLOWC_DATASTORE or ./.flowc).",
)


def _root(datastore: str | None) -> str:
    from flowc.client import datastore_root

    return datastore_root(datastore)


def _flow_name(flow: str) -> str:
    """A flow class name, or the name of the flow defined in a file."""
    if os.path.isfile(flow):
        from flowc.commands.run import load_ir

        return load_ir(flow, None).name
    return flow


def _find_run(run_id: str, root: str) -> str:
    from flowc.client import Metaflow

    owners = [f.id for f in Metaflow(root).flows if run_id in f.run_ids()]
    if len(owners) != 1:
        raise click.UsageError(
            f"run {run_id} is {'ambiguous' if owners else 'not found'} in {root}; "
            "use FLOW/RUN/STEP/TASK"
        )
    return owners[0]


def split_pathspec(pathspec: str, root: str, parts: int) -> list[str]:
    """``[FLOW, RUN, ...]`` with ``parts`` elements after FLOW (the flow may be omitted)."""
    items = pathspec.lstrip("/").split("/")
    if len(items) == parts:
        items = [_find_run(items[0], root), *items]
    if len(items) != parts + 1:
        raise click.UsageError(
            f"expected {'/'.join(['FLOW', 'RUN', 'STEP', 'TASK'][: parts + 1])}, got {pathspec!r}"
        )
    return items


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) if stamp else "-"


@click.command()
@click.argument("flow", required=False)
@datastore_option
@click.option("-n", "--limit", type=int, default=20, show_default=True)
def runs(flow: str | None, datastore: str | None, limit: int) -> None:
    """List the runs of FLOW (a class name or flow file), newest first; every flow if
    none is given."""
    from flowc.client import Flow, Metaflow

    root = _root(datastore)
    flows = [Flow(_flow_name(flow), root)] if flow else Metaflow(root).flows
    if not flows:
        click.echo(f"no runs in {root}")
    for f in flows:
        click.echo(f"{f.id}:")
        for run in f.runs()[:limit]:
            params = ", ".join(f"{k}={v!r}" for k, v in run.parameters.items())
            origin = f" (resumed from {run.origin_run_id})" if run.origin_run_id else ""
            click.echo(f"  {run.id}  {run.status:<9}  {_when(run.created_at)}  {params}{origin}")


@click.command()
@click.argument("pathspec", metavar="[FLOW/]RUN/STEP/TASK")
@datastore_option
@click.option("--attempt", type=int, default=None, help="Default: the winning (or last) one.")
@click.option("--stdout/--no-stdout", "show_out", default=True)
@click.option("--stderr/--no-stderr", "show_err", default=True)
def logs(
    pathspec: str, datastore: str | None, attempt: int | None, show_out: bool, show_err: bool
) -> None:
    """Print a task's stdout and stderr."""
    from flowc.flowcli._tasks import TaskRef
    from flowc.flowcli.logs import task_log
    from runtime_shim.datastore import open_object_store
    from runtime_shim.datastore.layout import FlowDatastore

    root = _root(datastore)
    flow, run, step, key = split_pathspec(pathspec, root, 3)
    ds = FlowDatastore(open_object_store(root), flow)
    task = TaskRef(run, step, key or "_")
    attempts = ds.attempts(run, step, task.key)
    if not attempts and not ds.is_committed(run, step, task.key):
        raise click.UsageError(f"task {flow}/{task.pathspec} has no attempts")
    for stream, wanted in (("stdout", show_out), ("stderr", show_err)):
        if not wanted:
            continue
        text = task_log(ds, task, stream, attempt)
        if text:
            click.echo(text, nl=not text.endswith("\n"), err=stream == "stderr")


@click.command("inspect")
@click.argument("pathspec", metavar="[FLOW/]RUN/STEP/TASK")
@datastore_option
@click.option("--full", is_flag=True, help="Print whole values, not a one-line preview.")
def inspect_command(pathspec: str, datastore: str | None, full: bool) -> None:
    """Show the artifacts of a task."""
    from flowc.client import Task

    root = _root(datastore)
    flow, run, step, key = split_pathspec(pathspec, root, 3)
    task = Task(f"{flow}/{run}/{step}/{key or '_'}", root)
    if not task.finished:
        raise click.UsageError(f"task {task.pathspec} is not committed")
    click.echo(
        f"{task.pathspec}  attempt {task.attempt}"
        + ("  (@catch caught an exception)" if task.caught else "")
    )
    for artifact in task:
        text = repr(artifact.data)
        if not full and len(text) > 100:
            text = text[:97] + "..."
        click.echo(f"  {artifact.id:<20} {artifact.type:<10} {artifact.size:>8} B  {text}")


def show_run(pathspec: str, datastore: str | None = None, echo: bool = True) -> str:
    """Print (and return) a run's steps and tasks: ``flowc show RUN`` or ``FLOW/RUN``."""
    from flowc.client import Run
    from runtime_shim.datastore import open_object_store
    from runtime_shim.datastore.layout import FlowDatastore

    root = _root(datastore)
    flow, run_id = split_pathspec(pathspec, root, 1)
    if run_id not in FlowDatastore(open_object_store(root), flow).list_runs():
        raise click.UsageError(f"flow {flow} has no run {run_id!r} in {root}")
    run = Run(f"{flow}/{run_id}", root)
    lines = [f"Run {run.pathspec}: {run.status}, created {_when(run.created_at)}"]
    if run.origin_run_id:
        lines.append(f"  resumed from {run.origin_run_id}")
    if run.parameters:
        lines.append("  parameters: " + ", ".join(f"{k}={v!r}" for k, v in run.parameters.items()))
    for step in sorted(run.steps(), key=_step_order(run)):
        tasks = step.tasks()
        done = sum(t.finished for t in tasks)
        failed = [t for t in tasks if not t.finished]
        lines.append(
            f"  {step.id:<24} {done}/{len(tasks)} committed"
            + (f", {len(failed)} failed: {' '.join(t.id for t in failed[:10])}" if failed else "")
        )
    text = "\n".join(lines)
    if echo:
        click.echo(text)
    return text


def _step_order(run: Any) -> Any:
    def key(step: Any) -> tuple[float, str]:
        first = step.task
        meta = first.metadata if first is not None else {}
        return float(meta.get("started", float("inf"))), step.id

    return key
