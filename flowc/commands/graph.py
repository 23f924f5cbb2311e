"""``flowc graph``: the flow's graph as Mermaid or Graphviz dot."""

from __future__ import annotations

import json

import click

from flowc.commands._common import analyze_arguments, exit_code, flow_option, report
from flowc.ir import FlowIR


def _edges(ir: FlowIR) -> list[tuple[str, str, str]]:
    edges: list[tuple[str, str, str]] = []
    for step in ir.steps:
        if step.switch is not None:
            for case, target in step.switch.cases.items():
                edges.append((step.name, target, case))
        elif step.transition == "foreach":
            edges.append((step.name, step.next[0], f"foreach {step.foreach_var or ''}".strip()))
        else:
            edges.extend((step.name, target, "") for target in step.next)
    return edges


def to_mermaid(ir: FlowIR) -> str:
    lines = ["flowchart TD"]
    for step in ir.steps:
        shape = (
            ("{{", "}}")
            if step.switch
            else ("([", "])")
            if step.kind in ("start", "end")
            else ("[", "]")
        )
        # Node ids are prefixed: `end` is a Mermaid keyword.
        lines.append(f'    n_{step.name}{shape[0]}"{step.name}"{shape[1]}')
    for source, target, label in _edges(ir):
        text = label.replace('"', "'").replace("|", "/")
        arrow = f'-->|"{text}"|' if text else "-->"
        lines.append(f"    n_{source} {arrow} n_{target}")
    return "\n".join(lines) + "\n"


def to_dot(ir: FlowIR) -> str:
    lines = [f"digraph {json.dumps(ir.name)} {{", "    rankdir=TB;"]
    for step in ir.steps:
        shape = "diamond" if step.switch else "ellipse" if step.kind in ("start", "end") else "box"
        lines.append(f"    {json.dumps(step.name)} [shape={shape}];")
    for source, target, label in _edges(ir):
        attrs = f" [label={json.dumps(label)}]" if label else ""
        lines.append(f"    {json.dumps(source)} -> {json.dumps(target)}{attrs};")
    lines.append("}")
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("flow_file", metavar="FLOW")
@flow_option
@click.option(
    "--format",
    "graph_format",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
)
def graph(flow_file: str, flow_name: str | None, graph_format: str) -> None:
    """Print FLOW's graph (paste Mermaid into Markdown, or pipe dot into `dot -Tsvg`)."""
    batch = analyze_arguments((flow_file,), flow_name)
    report(batch, "text", quiet_ok=True)
    for analysis in batch.analyses:
        if analysis.ir is not None:
            click.echo(
                to_mermaid(analysis.ir) if graph_format == "mermaid" else to_dot(analysis.ir),
                nl=False,
            )
    raise SystemExit(exit_code(batch))
