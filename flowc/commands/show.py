"""``flowc show``: a flow's steps, transitions, parameters and decorators — or a run."""

from __future__ import annotations

import os

import click

from flowc.commands._common import analyze_arguments, exit_code, flow_option, report
from flowc.ir import Decorator, FlowIR, Step


def describe_flow(ir: FlowIR) -> str:
    lines = [f"Flow {ir.name} ({ir.file})"]
    if ir.docstring:
        lines.append(f"  {ir.docstring.splitlines()[0]}")
    for deco in ir.decorators:
        lines.append(f"  @{deco.name}{_args(deco)}")
    if ir.parameters:
        lines.append("Parameters:")
        for p in ir.parameters:
            default = (
                f" = {p.default!r}"
                if p.has_default and p.default_source is None
                else (
                    f" = <{p.default_source}>"
                    if p.default_source
                    else " (required)"
                    if p.required
                    else ""
                )
            )
            kind = "IncludeFile" if p.is_include_file else p.type
            help_text = f"  — {p.help}" if p.help else ""
            lines.append(f"  --{p.name} ({kind}){default}{help_text}")
    lines.append("Steps:")
    for step in ir.steps:
        lines.append(f"  {step.name} [{step.kind}] {_transition(step)}")
        for deco in step.decorators:
            lines.append(f"      @{deco.name}{_args(deco)}")
        lines.append(
            f"      inputs: {step.input_rule.render()}"
            + (f"; inside foreach {' > '.join(step.foreach_stack)}" if step.foreach_stack else "")
        )
    return "\n".join(lines)


def _transition(step: Step) -> str:
    if step.transition == "end":
        return "(end)"
    if step.switch is not None:
        cases = ", ".join(f"{k!r} -> {v}" for k, v in step.switch.cases.items())
        return f"-> switch on {step.switch.condition}: {cases}"
    if step.transition == "foreach":
        over = step.foreach_var or f"num_parallel={step.num_parallel}"
        return f"-> foreach {over}: {step.next[0]} (joined at {step.matching_join})"
    if step.transition == "split":
        return f"-> {', '.join(step.next)} (joined at {step.matching_join})"
    return f"-> {step.next[0]}"


def _args(deco: Decorator) -> str:
    """The arguments the flow wrote (resolved; a non-literal one as its source text)."""
    literal = [f"{k}={deco.args[k]!r}" for k in deco.given if k not in deco.source_args]
    parts = literal + [f"{k}=<{v}>" for k, v in deco.source_args.items()]
    return f"({', '.join(parts)})" if parts else ""


@click.command()
@click.argument("target", metavar="FLOW|RUN")
@flow_option
@click.option("--datastore", default=None, help="Datastore root (for RUN).")
def show(target: str, flow_name: str | None, datastore: str | None) -> None:
    """Show a flow file's steps, transitions, parameters and decorators.

    Given FLOW/RUN_ID (or a run id) instead of a file, show that run's tasks.
    """
    if not os.path.exists(target) and not target.endswith(".py"):
        from flowc.commands.runs import show_run  # the run view lives with the run commands

        show_run(target, datastore)
        return
    batch = analyze_arguments((target,), flow_name)
    report(batch, "text", quiet_ok=True)
    for analysis in batch.analyses:
        if analysis.ir is not None:
            click.echo(describe_flow(analysis.ir))
    raise SystemExit(exit_code(batch))
