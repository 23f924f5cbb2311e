"""The flow's DAG on a card: an inline SVG picture with the task's step marked.

The graph comes from the compiler's IR (``runtime_shim.flowgraph``), the one source of
graph facts. Analysing the flow's file costs ~0.1 s, more than a card may add to a task,
so a run keeps the graph once, at ``ROOT/FLOW/runs/RUN/graph.json`` (a ``.json`` name is
never taken for a step): the local runner writes it when the run starts (it has the IR);
elsewhere the first task of the run that renders a default card derives it and stores
it for the others.
"""

from __future__ import annotations

import html
import json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from runtime_shim.datastore.layout import FlowDatastore

GRAPH_FILE = "graph.json"

# One step of the picture: (name, Metaflow node type, next steps).
Steps = list[tuple[str, str, list[str]]]


def steps_of(graph: Any) -> Steps:
    """The steps of a ``runtime_shim.flowgraph.FlowGraph`` in its topological order."""
    return [(node.name, node.type, list(node.out_funcs)) for node in graph]


def write_graph(ds: FlowDatastore, run: str, steps: Steps) -> None:
    record = {"steps": [{"name": n, "type": t, "next": nx} for n, t, nx in steps]}
    data = json.dumps(record, sort_keys=True).encode()
    ds.store.put(f"{ds.run_prefix(run)}/{GRAPH_FILE}", data, if_absent=True)


def run_graph(ds: FlowDatastore, run: str, flow: Any) -> Steps | None:
    """The run's graph: stored by the runner or an earlier task, else derived and stored.

    None when it cannot be had (no compiler installed beside the shim, or a flow file
    the compiler cannot read); the card then says so instead of drawing.
    """
    from runtime_shim.datastore.errors import ObjectNotFound

    try:
        record = json.loads(ds.store.get(f"{ds.run_prefix(run)}/{GRAPH_FILE}"))
        return [(s["name"], s["type"], list(s["next"])) for s in record["steps"]]
    except ObjectNotFound:
        pass
    try:
        steps = steps_of(flow._graph)
    except Exception:
        return None
    write_graph(ds, run, steps)
    return steps


_CHAR_WIDTH = 7.2
_BOX_HEIGHT = 28
_ROW_GAP = 34
_COL_GAP = 16
_MARGIN = 8


def dag_svg(steps: Steps, current: str, step_classes: dict[str, str] | None = None) -> str:
    """An SVG of ``steps``: one row per depth (the longest path from the start step),
    an arrow per transition, ``current`` filled. The same steps give the same bytes.

    ``step_classes`` adds a class to a step's ``<g>`` (the run viewer colours steps by
    status with a stylesheet, which takes precedence over the drawn fill)."""
    order = {name: i for i, (name, _t, _n) in enumerate(steps)}
    depth: dict[str, int] = {}
    for name, _type, _next in steps:
        depth.setdefault(name, 0)
        for child in _next:
            if order[child] > order[name]:  # a back edge (a recursive step) adds no depth
                depth[child] = max(depth.get(child, 0), depth[name] + 1)
    rows: dict[int, list[str]] = {}
    for name, _type, _next in steps:
        rows.setdefault(depth[name], []).append(name)
    widths = {name: len(name) * _CHAR_WIDTH + 20 for name, _t, _n in steps}
    row_widths = {
        d: sum(widths[n] for n in names) + _COL_GAP * (len(names) - 1) for d, names in rows.items()
    }
    # Room on the right for the arcs of back edges.
    total_width = max(row_widths.values(), default=0) + 2 * _MARGIN + 2 * _COL_GAP + 20
    boxes: dict[str, tuple[float, float, float]] = {}
    for d, names in rows.items():
        x: float = (total_width - row_widths[d]) / 2
        y = float(_MARGIN + d * (_BOX_HEIGHT + _ROW_GAP))
        for name in names:
            boxes[name] = (x, y, widths[name])
            x += widths[name] + _COL_GAP
    levels = max(rows, default=-1) + 1
    height = _MARGIN * 2 + levels * _BOX_HEIGHT + max(levels - 1, 0) * _ROW_GAP
    parts = [
        f"<svg class='dag' xmlns='http://www.w3.org/2000/svg' width='{total_width:.0f}' "
        f"height='{height:.0f}' viewBox='0 0 {total_width:.0f} {height:.0f}' role='img'>"
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='6' "
        "markerHeight='6' orient='auto'><path d='M0,0L10,5L0,10z' fill='#777'/></marker></defs>"
    ]
    for name, kind, children in steps:
        x, y, w = boxes[name]
        for child in children:
            cx, cy, cw = boxes[child]
            dash = " stroke-dasharray='4 3'" if kind == "foreach" else ""
            if order[child] <= order[name]:
                # Back to itself or an earlier step: an arc on the right of both boxes.
                x1, y1 = x + w, y + _BOX_HEIGHT / 2
                x2, y2 = cx + cw, cy + _BOX_HEIGHT / 2
                bulge = max(x1, x2) + _COL_GAP + 10
                parts.append(
                    f"<path d='M{x1:.1f},{y1:.1f} C{bulge:.1f},{y1 + 14:.1f} "
                    f"{bulge:.1f},{y2 - 14:.1f} {x2:.1f},{y2:.1f}' fill='none' stroke='#777'"
                    f"{dash} marker-end='url(#arrow)'/>"
                )
                continue
            parts.append(
                f"<line x1='{x + w / 2:.1f}' y1='{y + _BOX_HEIGHT:.1f}' x2='{cx + cw / 2:.1f}' "
                f"y2='{cy:.1f}' stroke='#777'{dash} marker-end='url(#arrow)'/>"
            )
    for name, kind, _children in steps:
        x, y, w = boxes[name]
        here = name == current
        fill, stroke, weight = (
            ("#2b6cb0", "#1a4480", "bold") if here else ("#f4f4f4", "#999", "normal")
        )
        color = "#fff" if here else "#222"
        label = html.escape(name)
        extra = f" {html.escape((step_classes or {}).get(name, ''))}".rstrip()
        parts.append(
            f"<g class='step{' current' if here else ''}{extra}' data-step='{label}'>"
            f"<title>{label} ({html.escape(kind)})</title>"
            f"<rect x='{x:.1f}' y='{y:.1f}' width='{w:.1f}' height='{_BOX_HEIGHT}' rx='5' "
            f"fill='{fill}' stroke='{stroke}'/>"
            f"<text x='{x + w / 2:.1f}' y='{y + _BOX_HEIGHT / 2 + 4:.1f}' text-anchor='middle' "
            f"fill='{color}' font-weight='{weight}'>{label}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
