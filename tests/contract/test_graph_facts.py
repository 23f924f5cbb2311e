"""The graph facts backends read from the IR mean what the graph says.

Backends no longer walk the graph themselves: a foreach body is ``FlowIR.foreach_body``
(from each step's ``foreach_stack``), a join's split is ``FlowIR.split_of`` and a loop is
``Step.recursive``. Checked here against a walk of the edges, for every shape flow.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flowc.compiler import analyze_file
from flowc.ir import FlowIR, Step

SHAPES = sorted((Path(__file__).resolve().parents[2] / "tests" / "shapes").glob("*.py"))


def _ir(path: Path) -> FlowIR:
    analysis = analyze_file(str(path))
    assert analysis.ir is not None, analysis.diagnostics
    return analysis.ir


def _reachable_before_join(ir: FlowIR, split: Step) -> set[str]:
    seen: set[str] = set()
    todo = list(split.next)
    while todo:
        name = todo.pop()
        if name != split.matching_join and name not in seen:
            seen.add(name)
            todo.extend(ir.step(name).next)
    return seen


@pytest.mark.parametrize("shape", SHAPES, ids=lambda p: p.stem)
def test_foreach_bodies_joins_and_loops(shape: Path) -> None:
    ir = _ir(shape)
    order = [s.name for s in ir.steps]
    for step in ir.steps:
        assert step.recursive == (step.switch is not None and step.name in step.next)
        if step.transition == "foreach":
            body = ir.foreach_body(step.name)
            assert set(body) == _reachable_before_join(ir, step)
            assert body == [name for name in order if name in body]
        if step.transition in ("split", "foreach"):
            assert step.matching_join is not None
            assert ir.split_of(step.matching_join) is step
