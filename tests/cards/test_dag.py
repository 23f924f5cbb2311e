"""The DAG picture of the default card, for every graph shape flowc has (tests/shapes):
an SVG that parses, every step inside the picture, a row per depth, the task's step
marked, back edges of recursive steps as arcs, the same bytes every time."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from flowc.compiler import analyze_file
from runtime_shim.cards.dag import dag_svg, steps_of
from runtime_shim.flowgraph import FlowGraph

SHAPES = sorted((Path(__file__).parents[1] / "shapes").glob("*.py"))
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("shape", SHAPES, ids=lambda p: p.stem)
def test_every_shape_draws_inside_its_picture(shape: Path) -> None:
    analysis = analyze_file(str(shape), None)
    assert analysis.ir is not None
    steps = steps_of(FlowGraph(analysis.ir))
    marked = steps[len(steps) // 2][0]
    svg = dag_svg(steps, marked)
    assert svg == dag_svg(steps, marked)
    root = ET.fromstring(svg)
    width, height = float(root.attrib["width"]), float(root.attrib["height"])
    groups = root.findall(f"{SVG}g")
    assert [g.attrib["data-step"] for g in groups] == [name for name, _t, _n in steps]
    assert [g.attrib["class"] for g in groups if "current" in g.attrib["class"]] == ["step current"]
    assert next(g for g in groups if "current" in g.attrib["class"]).attrib["data-step"] == marked
    for g in groups:
        rect = g.find(f"{SVG}rect")
        assert rect is not None
        x, y = float(rect.attrib["x"]), float(rect.attrib["y"])
        assert x >= 0 and x + float(rect.attrib["width"]) <= width
        assert y >= 0 and y + float(rect.attrib["height"]) <= height
    order = {name: i for i, (name, _t, _n) in enumerate(steps)}
    back = sum(1 for name, _t, nxt in steps for child in nxt if order[child] <= order[name])
    forward = sum(len(nxt) for _n, _t, nxt in steps) - back
    tops = {
        g.attrib["data-step"]: float(g.find(f"{SVG}rect").attrib["y"])  # type: ignore[union-attr]
        for g in groups
    }
    for name, _t, nxt in steps:
        for child in nxt:
            if order[child] > order[name]:
                assert tops[child] > tops[name], (name, child)
    assert len(root.findall(f"{SVG}path")) == back
    assert len(root.findall(f"{SVG}line")) == forward
