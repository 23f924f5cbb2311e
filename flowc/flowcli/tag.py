"""``python flow.py tag add|remove|replace|list``: a run's tags from the command line.

The verb of Metaflow's ``tag`` command, with its options and output: messages go to
stderr (as Metaflow's ``echo``) and are silenced by the top-level ``--quiet``, except the
one-line-per-run summary ``RUNS ; SYSTEM TAGS ; USER TAGS`` that ``--quiet`` prints
instead of the table. The first line is Metaflow's banner (``… executing FLOW for
user:NAME``), which scripts skip; ``tag list --flat`` then prints one tag per line.
User tags are shown as ``*tag*``; system tags cannot be changed. Mistakes exit 1 with a message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

from flowc.flowcli.context import FlowContext, flow_context

if TYPE_CHECKING:
    from flowc.client import Run

HEADER = (
    "",
    "System tags and *tags*; only *tags* can be modified",
    "--------------------------------------------------------",
    "",
)
WIDTH = 124  # Metaflow lays columns out for 120 characters plus separators


def _banner(ctx: FlowContext) -> None:
    """Metaflow's first line of every verb's output (tools skip it: ``tag list --flat``)."""
    from runtime_shim.identity import resolve_identity
    from runtime_shim.tags import flowc_version

    _say(ctx, f"flowc {flowc_version()} executing {ctx.flow_name} for {resolve_identity()}")


def _say(ctx: FlowContext, text: str) -> None:
    if not ctx.quiet:
        click.echo(text, err=True)


def _run(ctx: FlowContext, run_id: str | None, user_namespace: str | None) -> Run:
    """The run to change or list, in ``user_namespace``, with Metaflow's error messages."""
    from flowc.client import Flow, Run, namespace
    from runtime_shim.exceptions import MetaflowNamespaceMismatch, MetaflowNotFound

    flow = ctx.flow_name
    root = ctx.datastore_root
    namespace(user_namespace)
    try:
        latest = Flow(flow, root).latest_run
    except MetaflowNotFound:
        raise click.ClickException(
            f"No run found for *{flow}*. Please run the flow before tagging."
        ) from None
    except MetaflowNamespaceMismatch:
        raise click.ClickException(
            f"No run found for *{flow}* in namespace *{user_namespace}*. You can switch the "
            "namespace using --namespace"
        ) from None
    if run_id is None:
        raise click.ClickException(
            "Please specify a run-id using --run-id.\n"
            f"*{flow}*'s latest run in namespace *{user_namespace}* has id "
            f"*{latest.id if latest else None}*."
        )
    if "/" in run_id:
        raise click.ClickException(f"Run-id *{run_id}* is not a valid run-id")
    try:
        return Run(f"{flow}/{run_id}", root)
    except MetaflowNotFound:
        raise click.ClickException(f"No run *{flow}/{run_id}* found for flow *{flow}*") from None
    except MetaflowNamespaceMismatch:
        raise click.ClickException(
            f"Run *{flow}/{run_id}* for flow *{flow}* does not belong to namespace "
            f"*{user_namespace}*"
        ) from None


def _identity(user_namespace: str | None) -> str:
    from runtime_shim.identity import resolve_identity

    return resolve_identity() if user_namespace is None else user_namespace


def _columns(cells: list[str], widths: list[int]) -> list[str]:
    """Cells laid out top to bottom in as many columns as fit the width."""
    widest = max(widths, default=0)
    columns = max(1, WIDTH // (widest + 4))
    rows = (len(cells) + columns - 1) // columns
    lines = []
    for row in range(rows):
        picked = [(cells[i], widths[i]) for i in range(row, len(cells), rows)]
        lines.append("    ".join(c.ljust(widest + (len(c) - w)) for c, w in picked).rstrip())
    return lines


def _print_run_tags(
    ctx: FlowContext, group: str, system: Iterable[str], tags: Iterable[str], header: bool
) -> None:
    system, tags = set(system), set(tags)
    if ctx.quiet:
        click.echo(
            " ; ".join([group, ",".join(sorted(system)), ",".join(sorted(tags - system))]),
            err=True,
        )
        return
    ordered = sorted(tags)
    cells = [t if t in system else f"*{t}*" for t in ordered]
    lines = [f"For run {group}"] if header else []
    lines += _columns(cells, [len(t) for t in ordered])
    click.echo("\n".join([*lines, ""]), err=True)


def _print_tag_runs(ctx: FlowContext, tag: str, runs: list[str], system: bool) -> None:
    if ctx.quiet:
        label = f"system:{tag}" if system else f"user:{tag}"
        click.echo(f"{label} ; {','.join(runs)}", err=True)
        return
    lines = [f"For tag {tag if system else f'*{tag}*'}"]
    lines += _columns(sorted(runs), [len(r) for r in runs])
    click.echo("\n".join([*lines, ""]), err=True)


def _print_one_run(ctx: FlowContext, run: Run) -> None:
    _say(ctx, "\n".join(HEADER))
    pathspec = run.pathspec
    _print_run_tags(ctx, pathspec, run.system_tags, run.tags, False)


def _mutate(ctx: FlowContext, run: Run, remove: Iterable[str], add: Iterable[str]) -> None:
    from runtime_shim.exceptions import MetaflowTaggingError

    try:
        run.replace_tags(list(remove), list(add))
    except MetaflowTaggingError as exc:
        raise click.ClickException(str(exc)) from None
    _say(ctx, "Operation successful. New tags:")
    _print_one_run(ctx, run)


RUN_ID = click.option(
    "--run-id", default=None, help="Run ID of the specific run to tag. [required]"
)
NAMESPACE = click.option(
    "--namespace",
    "user_namespace",
    default=None,
    help="Change namespace from the default (your username) to the one specified.",
)


@click.group(help="Commands related to tagging.")
def tag() -> None:
    _banner(flow_context())


@tag.command("add", help="Add tags to a run.")
@RUN_ID
@NAMESPACE
@click.argument("tags", required=True, nargs=-1)
def add(run_id: str | None, user_namespace: str | None, tags: tuple[str, ...]) -> None:
    ctx = flow_context()
    run = _run(ctx, run_id, _identity(user_namespace))
    _mutate(ctx, run, [], tags)


@tag.command("remove", help="Remove tags from a run.")
@RUN_ID
@NAMESPACE
@click.argument("tags", required=True, nargs=-1)
def remove(run_id: str | None, user_namespace: str | None, tags: tuple[str, ...]) -> None:
    ctx = flow_context()
    run = _run(ctx, run_id, _identity(user_namespace))
    _mutate(ctx, run, tags, [])


@tag.command(
    "replace",
    help="Replace one or more tags of a run atomically. Removals are applied first, then "
    "additions.",
)
@RUN_ID
@NAMESPACE
@click.option("--add", "tags_to_add", multiple=True, help="Add this tag to a run.")
@click.option("--remove", "tags_to_remove", multiple=True, help="Remove this tag from a run.")
def replace(
    run_id: str | None,
    user_namespace: str | None,
    tags_to_add: tuple[str, ...],
    tags_to_remove: tuple[str, ...],
) -> None:
    if not tags_to_add and not tags_to_remove:
        raise click.ClickException(
            "Specify at least one tag to add (--add) and one tag to remove (--remove)"
        )
    if not tags_to_remove:
        raise click.ClickException("Specify at least one tag to remove; else please use *tag add*.")
    if not tags_to_add:
        raise click.ClickException("Specify at least one tag to add, else please use *tag remove*.")
    ctx = flow_context()
    run = _run(ctx, run_id, _identity(user_namespace))
    _mutate(ctx, run, tags_to_remove, tags_to_add)


@tag.command("list", help="List tags of a run.")
@click.option("--run-id", default=None, help="Run ID of the specific run to list.")
@click.option("--all", "list_all", is_flag=True, help="List tags across all runs of this flow.")
@click.option(
    "--my-runs",
    is_flag=True,
    help="List tags across all runs of the flow under the default namespace.",
)
@click.option("--hide-system-tags", is_flag=True, help="Hide system tags.")
@click.option(
    "--group-by-tag", is_flag=True, help="Display results by showing runs grouped by tags"
)
@click.option("--group-by-run", is_flag=True, help="Display tags grouped by run")
@click.option("--flat", is_flag=True, hidden=True, help="List tags, one line per tag, no groupings")
@click.argument("arg_run_id", required=False, default=None)
def tag_list(
    run_id: str | None,
    list_all: bool,
    my_runs: bool,
    hide_system_tags: bool,
    group_by_tag: bool,
    group_by_run: bool,
    flat: bool,
    arg_run_id: str | None,
) -> None:
    from flowc.client import Flow, namespace
    from runtime_shim.exceptions import MetaflowNotFound

    ctx = flow_context()
    if run_id is not None and arg_run_id is not None:
        raise click.ClickException(
            "Specify a run either using --run-id or as an argument but not both"
        )
    run_id = run_id or arg_run_id
    if run_id is None and not my_runs:
        list_all = True
    if list_all and my_runs:
        raise click.ClickException("Option --all cannot be used together with --my-runs.")
    if group_by_run and group_by_tag:
        raise click.ClickException("Option --group-by-tag cannot be used with --group-by-run")
    if flat and (group_by_run or group_by_tag):
        raise click.ClickException(
            "Option --flat cannot be used with --group-by-run or --group-by-tag"
        )

    if run_id is None:
        namespace(_identity(None) if my_runs else None)
        try:
            runs = list(Flow(ctx.flow_name, ctx.datastore_root))
        except MetaflowNotFound:
            raise click.ClickException(
                f"Cannot list tags because the flow {ctx.flow_name} has never been run."
            ) from None
    else:
        runs = [_run(ctx, run_id, None)]

    def shown(run: Run) -> set[str]:
        tags = set(run.tags)
        return tags - set(run.system_tags) if hide_system_tags else tags

    def system(run: Run) -> set[str]:
        return set() if hide_system_tags else set(run.system_tags)

    if flat:
        for name in sorted(set().union(*(shown(r) for r in runs))):
            _say(ctx, name)
        return
    _say(ctx, "\n".join(HEADER))
    if group_by_tag:
        by_tag: dict[tuple[str, bool], list[str]] = {}
        for run in runs:
            for name in shown(run):
                is_system = name in system(run)
                by_tag.setdefault((name, is_system), []).append(run.pathspec)
        for (name, is_system), pathspecs in sorted(by_tag.items()):
            _print_tag_runs(ctx, name, pathspecs, is_system)
    elif group_by_run:
        for run in sorted(runs, key=lambda r: r.pathspec):
            _print_run_tags(ctx, run.pathspec, system(run), shown(run), len(runs) > 1)
    else:
        group = ",".join(r.pathspec for r in runs)
        tags = set().union(*(shown(r) for r in runs))
        systems = set().union(*(system(r) for r in runs))
        _print_run_tags(ctx, group, systems, tags, False)
