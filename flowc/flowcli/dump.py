"""``dump RUN/STEP[/TASK]``: the artifacts of a task, or of every task of a step.

With ``--file F`` it writes what Metaflow's ``dump`` writes: a pickle of
``{"RUN/STEP/TASK": {name: value}}``, whole values (``--max-value-size`` applies to the
printed form only). ``--private`` adds the names that start with ``_``; ``--include``
keeps the listed names.
"""

from __future__ import annotations

import pickle
from typing import Any

import click

from flowc.flowcli._tasks import TaskRef, find_tasks, flow_datastore
from flowc.flowcli.context import flow_context
from flowc.flowcli.main import FlowCliError
from runtime_shim.datastore.layout import FlowDatastore


class ArtifactTooLarge:
    """Stands in for a value bigger than ``--max-value-size`` in printed output."""

    def __repr__(self) -> str:
        return "<artifact too large>"


def task_artifacts(
    ds: FlowDatastore,
    task: TaskRef,
    *,
    private: bool,
    include: set[str],
    max_value_size: int | None,
) -> dict[str, Any]:
    record = ds.committed(task.run_id, task.step, task.key)
    if record is None:
        raise FlowCliError(f"task {task.pathspec} did not finish: it has no artifacts")
    found: dict[str, Any] = {}
    for name, ref in sorted(ds.artifacts(task.run_id, task.step, task.key, record).items()):
        if include and name not in include:
            continue
        if name.startswith("_") and not private:
            continue
        if max_value_size is not None and ref.size > max_value_size:
            found[name] = ArtifactTooLarge()
        else:
            found[name] = ds.load_value(ref)
    return found


@click.command(
    help="Get data artifacts of a task or all tasks in a step. The format for INPUT_PATH "
    "is either RUN_ID/STEP_NAME or RUN_ID/STEP_NAME/TASK_ID."
)
@click.argument("input-path")
@click.option(
    "--private/--no-private",
    default=False,
    show_default=True,
    help="Show also private attributes.",
)
@click.option(
    "--max-value-size",
    default=1000,
    show_default=True,
    type=int,
    help="Show only values that are smaller than this number. Set to 0 to see only keys.",
)
@click.option(
    "--include",
    type=str,
    default="",
    help="Include only artifacts in the given comma-separated list.",
)
@click.option("--file", type=str, default=None, help="Serialize artifacts in the given file.")
def dump(
    input_path: str, private: bool, max_value_size: int, include: str, file: str | None
) -> None:
    obj = flow_context()
    ds = flow_datastore(obj)
    names = {name for name in include.split(",") if name}
    output: dict[str, dict[str, Any]] = {}
    for task in find_tasks(ds, obj, input_path):
        if not obj.quiet:
            click.echo(
                f"Dumping output of run_id={task.run_id} step={task.step} task_id={task.task_id}",
                err=True,
            )
        artifacts = task_artifacts(
            ds,
            task,
            private=private,
            include=names,
            max_value_size=None if file is not None else max_value_size,
        )
        if file is None:
            for name, value in artifacts.items():
                click.echo(f"{name}: {value!r}")
        else:
            output[task.pathspec] = artifacts
    if file is not None:
        with open(file, "wb") as f:
            pickle.dump(output, f, protocol=pickle.HIGHEST_PROTOCOL)
        if not obj.quiet:
            click.echo(f"Artifacts written to {file}", err=True)
