"""``run`` and ``resume`` of a flow file (Metaflow's ``metaflow.cli_components.run_cmds``).

Both hand over to ``flowc run --local`` / ``flowc resume`` with the flow filled in, so a
flow file and ``flowc`` run a flow the same way. The options and their click parameter
names are Metaflow's (``tags``, ``max_workers``, ``max_num_splits``, ``decospecs``,
``run_id_file``, ``runner_attribute_file``, ``user_namespace``, ``step_to_rerun``,
``origin_run_id``); the flow's Parameters are options of ``run`` (``--alpha 0.1``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import click

from flowc.commands._run_settings import positive_workers
from flowc.flowcli.context import FlowContext, flow_context

__all__ = ["resume", "run"]


def common_run_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options ``run`` and ``resume`` share, as Metaflow declares them."""
    options = [
        click.option(
            "--tag",
            "tags",
            multiple=True,
            default=None,
            help="Annotate this run with the given tag (repeatable).",
        ),
        click.option(
            "--max-workers",
            default=16,
            show_default=True,
            callback=positive_workers,
            help="Maximum number of parallel processes.",
        ),
        click.option(
            "--max-num-splits",
            default=100,
            show_default=True,
            help="Maximum number of splits allowed in a foreach (a safety check).",
        ),
        click.option(
            "--max-log-size",
            default=10,
            show_default=True,
            help="Maximum size of stdout and stderr captured, in megabytes (accepted).",
        ),
        click.option(
            "--with",
            "decospecs",
            multiple=True,
            help="Add a decorator to all steps (repeatable).",
        ),
        click.option(
            "--run-id-file",
            default=None,
            show_default=True,
            type=str,
            help="Write the ID of this run to the file specified.",
        ),
        click.option(
            "--runner-attribute-file",
            default=None,
            show_default=True,
            type=str,
            help="Write the flow, run id and metadata of this run to the file (Runner API).",
        ),
    ]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    decorated: Callable[..., Any] = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


def _items(value: object) -> list[Any]:
    """A multiple option's values (a tuple from click; nothing when absent)."""
    return list(value) if isinstance(value, (list, tuple)) else []


def _accepts(command: click.Command, option: str) -> bool:
    """Whether ``command`` has ``option``: pass-through options flowc's own command may not
    have (yet) are left out rather than failing the run."""
    return any(option in getattr(param, "opts", ()) for param in command.params)


def _shared_arguments(
    command: click.Command, obj: FlowContext, options: dict[str, Any]
) -> list[str]:
    """The ``flowc run``/``flowc resume`` arguments that come from the top-level options
    and the common run options."""
    top = obj.top_options
    args = ["--flow", obj.flow_class, "--max-workers", str(options["max_workers"])]
    if obj.datastore_root:
        args += ["--datastore", obj.datastore_root]
    if obj.quiet:
        args.append("--quiet")
    if _accepts(command, "--tag"):
        for tag in options.get("tags") or ():
            args += ["--tag", tag]
    # Run-level decorators come first, as in Metaflow (the first of a name wins).
    for spec in [*_items(options.get("decospecs")), *_items(top.get("decospecs"))]:
        args += ["--with", spec]
    if top.get("branch"):
        args += ["--branch", str(top["branch"])]
    if top.get("production"):
        args.append("--production")
    if options.get("max_num_splits") is not None:
        args += ["--max-num-splits", str(options["max_num_splits"])]
    for name in ("run_id_file", "runner_attribute_file"):
        if options.get(name):
            args += [f"--{name.replace('_', '-')}", str(options[name])]
    return args


def _config_arguments(command: click.Command, obj: FlowContext) -> list[str]:
    """``flowc run`` reads ``--config``/``--config-value`` from its free arguments (so a
    flow parameter named ``config`` keeps its option there): they are passed on as is."""
    top = obj.top_options
    args: list[str] = []
    for option, pairs in (
        ("--config", _items(top.get("config"))),
        ("--config-value", _items(top.get("config_value"))),
    ):
        for name, value in pairs:
            args += [option, name, value]
    return args


def _hand_over(command: click.Command, args: list[str]) -> None:
    obj = flow_context()
    prog = f"{os.path.basename(obj.flow_file)} {command.name}"
    command.main(args=args, prog_name=prog, standalone_mode=True)


RUN_CONTEXT = {"ignore_unknown_options": True, "allow_extra_args": True}


class FlowRunCommand(click.Command):
    """``run --help`` lists the flow's Parameters too (read from the file, not imported)."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        obj = ctx.find_object(FlowContext)
        if obj is None:
            return
        from flowc.commands.run import format_parameters
        from flowc.compiler import analyze_file

        format_parameters(analyze_file(obj.flow_file, obj.flow_class).ir, formatter)


@click.command(cls=FlowRunCommand, context_settings=RUN_CONTEXT, help="Run the workflow locally.")
@common_run_options
@click.option(
    "--namespace",
    "user_namespace",
    default=None,
    help="Change the client namespace from the default (your username); empty: global.",
)
@click.pass_context
def run(ctx: click.Context, /, **options: Any) -> None:
    from flowc.commands.run import run as flowc_run

    obj = flow_context()
    args = [
        "--local",
        obj.flow_file,
        *_shared_arguments(flowc_run, obj, options),
        *_config_arguments(flowc_run, obj),
    ]
    if options.get("user_namespace") is not None:
        args += ["--namespace", options["user_namespace"]]
    _hand_over(flowc_run, [*args, *ctx.args])


@click.command(help="Resume execution of a previous run of this flow.")
@click.argument("step-to-rerun", required=False)
@click.option(
    "--origin-run-id",
    default=None,
    help="ID of the run to resume (default: the latest run of this flow).",
)
@click.option("--run-id", default=None, hidden=True, help="Accepted for compatibility.")
@click.option("--clone-only/--no-clone-only", default=False, hidden=True)
@click.option("--reentrant/--no-reentrant", default=False, hidden=True)
@click.option("--resume-identifier", default=None, hidden=True)
@common_run_options
def resume(**options: Any) -> None:
    from flowc.commands.run import resume as flowc_resume

    obj = flow_context()
    args = [obj.flow_file]
    if options.get("origin_run_id"):
        args.append(options["origin_run_id"])
    if options.get("step_to_rerun"):
        args += ["--step", options["step_to_rerun"]]
    _hand_over(flowc_resume, [*args, *_shared_arguments(flowc_resume, obj, options)])
