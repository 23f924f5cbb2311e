"""``show``, ``check`` and ``help`` of a flow file: what ``flowc show``/``flowc check`` say
about this file, without running it."""

from __future__ import annotations

import click

from flowc.flowcli.context import flow_context


@click.command(help="Check that the flow is valid (default).")
@click.option(
    "--warnings/--no-warnings",
    default=False,
    show_default=True,
    help="Accepted for compatibility; flowc always reports its warnings.",
)
def check(warnings: bool) -> None:
    from flowc.commands._common import run_check

    obj = flow_context()
    code = run_check([obj.flow_file], obj.flow_class, "text")
    if code == 0 and not obj.quiet:
        click.echo(f"The graph of {obj.flow_name} looks good!", err=True)
    raise SystemExit(code)


@click.command(help="Show structure of the flow.")
def show() -> None:
    from flowc.commands._common import analyze_arguments, exit_code, report
    from flowc.commands.show import describe_flow

    obj = flow_context()
    batch = analyze_arguments((obj.flow_file,), obj.flow_class)
    report(batch, "text", quiet_ok=True)
    for analysis in batch.analyses:
        if analysis.ir is not None:
            click.echo(describe_flow(analysis.ir))
    raise SystemExit(exit_code(batch))


@click.command("help", help="Show all available commands.")
@click.pass_context
def help_command(ctx: click.Context) -> None:
    parent = ctx.parent or ctx
    click.echo(parent.get_help())
