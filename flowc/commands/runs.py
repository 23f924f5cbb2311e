"""``flowc runs``, ``flowc logs``, ``flowc inspect`` and ``show_run`` (for ``flowc show RUN``).

Tasks are named by pathspec: ``FLOW/RUN/STEP/TASK`` or, when the run id is unique in
the datastore, ``RUN/STEP/TASK``; TASK is the task id (``start``, ``train.3``, ``loop@2``:
see ``runtime_shim.datastore.layout.task_id``) or the index path (``_`` or empty at top
level, ``3.1`` in nested foreaches, ``3@2`` for iteration 2 of a recursive step).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import click

T = TypeVar("T")

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

    owners = [f.id for f in Metaflow(root, _namespace_check=False).flows if run_id in f]
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


def found(build: Callable[[], T]) -> T:
    """``build()``; an object that does not exist is a usage error, not a traceback."""
    from runtime_shim.exceptions import MetaflowNotFound

    try:
        return build()
    except MetaflowNotFound as exc:
        raise click.UsageError(str(exc)) from None


def _when(stamp: datetime | None) -> str:
    return stamp.strftime("%Y-%m-%d %H:%M:%S") if stamp else "-"


@click.command()
@click.argument("flow", required=False)
@datastore_option
@click.option("-n", "--limit", type=int, default=20, show_default=True)
def runs(flow: str | None, datastore: str | None, limit: int) -> None:
    """List the runs of FLOW (a class name or flow file), newest first; every flow if
    none is given."""
    from flowc.client import Flow, Metaflow

    root = _root(datastore)
    flows = (
        found(lambda: [Flow(_flow_name(flow), root, _namespace_check=False)])
        if flow
        else Metaflow(root, _namespace_check=False).flows
    )
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
    from flowc.client import Task

    root = _root(datastore)
    flow, run, step, key = split_pathspec(pathspec, root, 3)
    task = found(lambda: Task(f"{flow}/{run}/{step}/{key or '_'}", root, _namespace_check=False))
    chosen = task.attempt if attempt is None else attempt
    if chosen is None:
        raise click.UsageError(f"task {task.pathspec} has no attempts")
    attempts = task._ds.attempts(run, step, task.key)
    if attempt is not None and attempt not in attempts and attempt != task.attempt:
        have = ", ".join(map(str, attempts)) or "none"
        raise click.ClickException(f"task {task.pathspec} has no attempt {attempt} ({have})")
    for stream, wanted in (("stdout", show_out), ("stderr", show_err)):
        if not wanted:
            continue
        text = task._log(stream, chosen)
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
    task = found(lambda: Task(f"{flow}/{run}/{step}/{key or '_'}", root, _namespace_check=False))
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

    root = _root(datastore)
    flow, run_id = split_pathspec(pathspec, root, 1)
    run = found(lambda: Run(f"{flow}/{run_id}", root, _namespace_check=False))
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
        created = step.created_at
        return (created.timestamp() if created else float("inf")), step.id

    return key
