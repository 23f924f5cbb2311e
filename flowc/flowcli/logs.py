"""``logs RUN/STEP[/TASK]``: the stdout and stderr of a task, or of every task of a step.

As in Metaflow the log text goes to stdout (the headers to stderr, unless ``--quiet``),
stdout before stderr; ``--attempt N`` picks an attempt, and an attempt the task does not
have is an error, not an empty answer.
"""

from __future__ import annotations

import click

from flowc.flowcli._tasks import TaskRef, find_tasks, flow_datastore
from flowc.flowcli.context import flow_context
from flowc.flowcli.main import FlowCliError
from runtime_shim.datastore.layout import FlowDatastore


def task_log(ds: FlowDatastore, task: TaskRef, stream: str, attempt: int | None) -> str:
    """One stream of one attempt (default: the winning one, else the latest)."""
    record = ds.committed(task.run_id, task.step, task.key)
    attempts = ds.attempts(task.run_id, task.step, task.key)
    if attempt is None:
        if record is not None:
            attempt = int(record["attempt"])
        elif attempts:
            attempt = attempts[-1]
        else:
            return ""
    elif attempt not in attempts:
        have = ", ".join(map(str, attempts)) or "none"
        raise FlowCliError(f"task {task.pathspec} has no attempt {attempt} (attempts: {have})")
    return ds.log(task.run_id, task.step, task.key, attempt, stream, record)


@click.command(
    help="Show stdout/stderr produced by a task or all tasks in a step. The format for "
    "INPUT_PATH is either RUN_ID/STEP_NAME or RUN_ID/STEP_NAME/TASK_ID."
)
@click.argument("input-path")
@click.option("--stdout/--no-stdout", default=False, show_default=True, help="Show stdout.")
@click.option("--stderr/--no-stderr", default=False, show_default=True, help="Show stderr.")
@click.option(
    "--both/--no-both", default=True, show_default=True, help="Show both stdout and stderr."
)
@click.option(
    "--timestamps/--no-timestamps",
    default=False,
    show_default=True,
    help="Show timestamps (flowc's logs carry none: accepted, no effect).",
)
@click.option(
    "--attempt",
    default=None,
    type=int,
    help="Attempt number of a task to show, defaults to the latest attempt.",
)
def logs(
    input_path: str,
    stdout: bool,
    stderr: bool,
    both: bool,
    timestamps: bool,
    attempt: int | None,
) -> None:
    obj = flow_context()
    if attempt is not None and attempt < 0:
        raise click.BadParameter(f"must be 0 or more, got {attempt}", param_hint="--attempt")
    streams = [name for name, wanted in (("stdout", stdout), ("stderr", stderr)) if wanted]
    if not streams and both:
        streams = ["stdout", "stderr"]
    ds = flow_datastore(obj)
    for task in find_tasks(ds, obj, input_path):
        if not obj.quiet:
            click.echo(
                f"Dumping logs of run_id={task.run_id} step={task.step} task_id={task.task_id}",
                err=True,
            )
        for stream in streams:
            if not obj.quiet:
                click.echo(stream, err=True)
            text = task_log(ds, task, stream, attempt)
            if text:
                click.echo(text, nl=not text.endswith("\n"))
