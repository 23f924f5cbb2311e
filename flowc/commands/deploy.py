"""``flowc deploy / trigger / status / terminate / delete``: a flow on an engine.

A run is named by its client pathspec ``Flow/RUN_ID``; the run id's prefix names the
engine (``sfn-``, ``argo-``, ``airflow-``). ``trigger`` records each run it starts in the
datastore, so ``status`` and ``terminate`` need only the pathspec (and the datastore, when
it is not the default). Credentials and endpoints come from each engine's usual places
(docs/deploy.md). Exit codes: 0 success; 1 the flow has errors, a credential is missing,
the engine refused, or (``status --wait``) the run did not succeed; 2 a usage error
(bad option or parameter value).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import click

from flowc.commands._common import flow_option
from flowc.deploy._registry import TARGETS

F = TypeVar("F", bound=Callable[..., Any])
_TARGET_HELP = "The engine: " + ", ".join(sorted(TARGETS)) + "."


def _options(pairs: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--option")
        found[key] = value
    return found


def deployment_options(command: F) -> F:
    """The options that say which deployment of FLOW a verb acts on."""
    for decorator in reversed(
        (
            flow_option,
            click.option(
                "--branch",
                default=None,
                metavar="NAME",
                help="The @project branch of the deployment (default: user.<name>).",
            ),
            click.option(
                "--production", is_flag=True, help="The @project flow's production deployment."
            ),
            click.option(
                "--datastore",
                metavar="URL",
                default=None,
                help="Datastore root the tasks use and the deployment is recorded in "
                "(default: $FLOWC_DATASTORE, [tool.flowc] datastore, ./.flowc).",
            ),
            click.option(
                "--option",
                "option_pairs",
                multiple=True,
                metavar="KEY=VALUE",
                help="A target option (repeatable): the compiler's (flowc compile --option) "
                "and the keys the engine's connection reads (docs/deploy.md).",
            ),
        )
    ):
        command = decorator(command)
    return command


def _fail(exc: Exception) -> None:
    click.echo(f"flowc: {exc}", err=True)
    sys.exit(1)


def _request(flow_file: str, target: str, **fields: Any) -> Any:
    from flowc.deploy._operations import FlowDeployment

    return FlowDeployment(
        flow_file=flow_file,
        target=target,
        flow_name=fields["flow_name"],
        branch=fields["branch"],
        production=fields["production"],
        datastore=fields["datastore"],
        options=_options(fields["option_pairs"]),
    )


@click.command()
@click.argument("flow_file", metavar="FLOW", type=click.Path(exists=True, dir_okay=False))
@click.option("--target", type=click.Choice(sorted(TARGETS)), required=True, help=_TARGET_HELP)
@deployment_options
def deploy(flow_file: str, target: str, **fields: Any) -> None:
    """Deploy FLOW to an engine: create its resources, or update them in place.

    A flow with errors deploys nothing. Deploying an unchanged flow again changes
    nothing and says so. A deploy that fails half-way lists what was applied, what
    failed and what was not applied; run it again once the cause is fixed."""
    from flowc.deploy import DeployError
    from flowc.deploy._operations import deploy_flow, describe_outcome

    try:
        outcome = deploy_flow(_request(flow_file, target, **fields))
    except DeployError as exc:
        _fail(exc)
    for line in describe_outcome(outcome):
        click.echo(line)
    sys.exit(0 if outcome.ok else 1)


class TriggerCommand(click.Command):
    """``flowc trigger FLOW --help`` also lists FLOW's parameters as options."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["flowc_argv"] = list(args)
        return super().parse_args(ctx, args)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        import os

        from flowc.commands.run import format_parameters

        super().format_epilog(ctx, formatter)
        flow = next((a for a in ctx.meta.get("flowc_argv", []) if a.endswith(".py")), None)
        if flow is not None and os.path.isfile(flow):
            from flowc.compiler import analyze_file

            format_parameters(analyze_file(flow).ir, formatter)


@click.command(
    cls=TriggerCommand, context_settings={"ignore_unknown_options": True, "allow_extra_args": True}
)
@click.argument("flow_file", metavar="FLOW", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--target",
    type=click.Choice(sorted(TARGETS)),
    default=None,
    help=_TARGET_HELP + " Default: the one engine FLOW is deployed on.",
)
@deployment_options
@click.option("--param", "pairs", multiple=True, metavar="NAME=VALUE", help="Same as --NAME VALUE.")
@click.pass_context
def trigger(ctx: click.Context, /, flow_file: str, target: str | None, **fields: Any) -> None:
    """Start a run of the deployed FLOW; its Parameters are options (--alpha 0.1).

    Values are checked against the flow's parameters before anything starts (a wrong
    type is a usage error, exit 2). Prints the run's pathspec (Flow/RUN_ID) on stdout,
    for flowc status, flowc terminate and the client."""
    from flowc.commands.run import load_ir, parse_parameters
    from flowc.deploy import DeployError
    from flowc.deploy._compiled import _deployed_name, _parameter_info
    from flowc.deploy._operations import deployed_name_of, trigger_deployed
    from flowc.deploy._params import check_parameters

    pairs = fields.pop("pairs")
    ir = load_ir(flow_file, fields["flow_name"])
    typed = parse_parameters(ir, list(ctx.args), pairs)
    try:
        rendered = check_parameters([_parameter_info(p) for p in ir.parameters], typed)
        target = target or _deployed_target(flow_file, ir, fields)
        request = _request(flow_file, target, **fields)
        default = _deployed_name(target, ir, request.branch, request.production, request.options)
        name = deployed_name_of(request, default)
        ref = trigger_deployed(
            target, name, rendered, datastore=request.datastore, options=request.options
        )
    except DeployError as exc:
        _fail(exc)
    click.echo(f"flowc: started {ref.pathspec} on {target} ({ref.engine_run_id})", err=True)
    click.echo(ref.pathspec)


def _deployed_target(flow_file: str, ir: Any, fields: dict[str, Any]) -> str:
    """The one target FLOW's deployment is recorded for; a usage error otherwise."""
    from flowc.deploy._compiled import _deployed_name
    from flowc.deploy._runs import Records, deploy_datastore

    records = Records(deploy_datastore(fields["datastore"]))
    options = _options(fields["option_pairs"])
    found = [
        t
        for t in sorted(TARGETS)
        if records.deployment(
            t, _deployed_name(t, ir, fields["branch"], fields["production"], options)
        )
    ]
    if len(found) != 1:
        where = f"on {', '.join(found)}" if found else "nowhere in this datastore"
        raise click.UsageError(f"{flow_file} is deployed {where}; choose one with --target")
    return found[0]


RUN_ARGUMENT = click.argument("pathspec", metavar="RUN")
DATASTORE_OPTION = click.option(
    "--datastore",
    metavar="URL",
    default=None,
    help="The datastore the run was triggered with (default: as for flowc deploy).",
)
OPTION_OPTION = click.option(
    "--option", "option_pairs", multiple=True, metavar="KEY=VALUE", help="A connection option."
)


@click.command()
@RUN_ARGUMENT
@DATASTORE_OPTION
@OPTION_OPTION
@click.option(
    "--wait", is_flag=True, help="Wait until the run has finished; exit 1 unless it succeeded."
)
@click.option("--timeout", type=float, default=None, help="With --wait: give up after SECONDS.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Human-readable lines, or one JSON object (for scripts).",
)
def status(
    pathspec: str,
    datastore: str | None,
    option_pairs: tuple[str, ...],
    wait: bool,
    timeout: float | None,
    output_format: str,
) -> None:
    """The state of RUN (Flow/RUN_ID, as trigger printed it) and of its tasks, as the
    engine reports them: one line per task with its attempts."""
    from flowc.deploy import DeployError, RunState
    from flowc.deploy._operations import find_run, run_status

    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        ref = find_run(pathspec, datastore)
        current = run_status(ref, _options(option_pairs))
        while wait and not current.state.finished:
            if deadline is not None and time.monotonic() > deadline:
                click.echo(
                    f"flowc: {pathspec} still {current.state.value} after {timeout} s", err=True
                )
                sys.exit(1)
            time.sleep(1)
            current = run_status(ref, _options(option_pairs))
    except DeployError as exc:
        _fail(exc)
    if output_format == "json":
        click.echo(_status_json(current))
    else:
        click.echo(
            f"{ref.pathspec} on {ref.target} ({ref.deployed_name}): {current.state.value}"
            f" [{current.engine_state}]"
        )
        for task in current.tasks:
            detail = f"  {task.detail}" if task.detail else ""
            click.echo(f"  {task.step:<24} {task.state.value:<10} attempts {task.attempts}{detail}")
    if wait and current.state is not RunState.SUCCEEDED:
        sys.exit(1)


def _status_json(current: Any) -> str:
    import json

    ref = current.ref
    return json.dumps(
        {
            "pathspec": ref.pathspec,
            "target": ref.target,
            "deployed_name": ref.deployed_name,
            "engine_run_id": ref.engine_run_id,
            "state": current.state.value,
            "engine_state": current.engine_state,
            "tasks": [
                {"step": t.step, "state": t.state.value, "attempts": t.attempts, "detail": t.detail}
                for t in current.tasks
            ],
        },
        indent=1,
    )


@click.command()
@RUN_ARGUMENT
@DATASTORE_OPTION
@OPTION_OPTION
def terminate(pathspec: str, datastore: str | None, option_pairs: tuple[str, ...]) -> None:
    """Stop RUN (Flow/RUN_ID) on its engine; a finished run is left as it is."""
    from flowc.deploy import DeployError
    from flowc.deploy._operations import find_run, terminate_run

    try:
        ref = find_run(pathspec, datastore)
        terminate_run(ref, _options(option_pairs))
    except DeployError as exc:
        _fail(exc)
    click.echo(f"flowc: asked {ref.target} to stop {ref.pathspec}", err=True)


@click.command()
@click.argument("flow_file", metavar="FLOW", type=click.Path(exists=True, dir_okay=False))
@click.option("--target", type=click.Choice(sorted(TARGETS)), required=True, help=_TARGET_HELP)
@deployment_options
def delete(flow_file: str, target: str, **fields: Any) -> None:
    """Remove FLOW's deployment from the engine: every resource deploy created."""
    from flowc.deploy import DeployError
    from flowc.deploy._operations import (
        delete_deployed,
        deployed_name_of,
        describe_outcome,
        flow_parameters,
    )

    try:
        request = _request(flow_file, target, **fields)
        _, _, default = flow_parameters(request)
        outcome = delete_deployed(
            target,
            deployed_name_of(request, default),
            datastore=request.datastore,
            options=request.options,
            default_name=default,
        )
    except DeployError as exc:
        _fail(exc)
    for line in describe_outcome(outcome):
        click.echo(line)
    if not outcome.resources:
        click.echo(f"{outcome.deployed_name}: nothing deployed on {target}")
    sys.exit(0 if outcome.ok else 1)
