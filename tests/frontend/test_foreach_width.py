"""The width of a foreach, read from the split step's source when it is plain there."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowc.compiler import analyze_source

FLOW = """
from metaflow import FlowSpec, Parameter, step


class WidthFlow(FlowSpec):
    width = Parameter("width", default=7)
    label = Parameter("label", default="x")
    needed = Parameter("needed", type=int, required=True)

    @step
    def start(self):
{body}
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
"""

CASES = {
    "self.items = [1, 2, 3]": 3,
    "self.items = ('a', 'b')": 2,
    "self.items = []": 0,
    "self.items = list(range(10000))": 10_000,
    "self.items = range(2, 12, 5)": 2,
    "self.items = range(self.width)": 7,
    "self.items = [i * i for i in range(self.width)]": 7,
    "self.items = sorted(tuple(range(3)))": 3,
    "self.items = [0] * 1200": 1200,
    "self.items = 3 * ['a', 'b']": 6,
    # Only the run knows these.
    "self.items = [*range(3)]": None,
    "self.items = range(self.needed)": None,
    "self.items = list(self.label)": None,
    "self.items = load()": None,
    "self.items = [i for i in range(9) if i % 2]": None,
    "self.items = [1]\n        self.items = [1, 2]": None,
    "self.items = [1]\n        self.items += [2]": None,
    "self.items, other = [1, 2], 3": None,
    "self.items = range(0, 9, 0)": None,
}


@pytest.mark.parametrize("body", CASES)
def test_width_from_source(body: str, tmp_path: Path) -> None:
    text = FLOW.replace("{body}", "        " + body)
    analysis = analyze_source(str(tmp_path / "width.py"), text)
    assert analysis.ir is not None, [d.message for d in analysis.diagnostics]
    start = analysis.ir.step("start")
    assert start.foreach_width == CASES[body]
    assert start.foreach_location is not None
    line = text.splitlines().index('        self.next(self.work, foreach="items")') + 1
    assert (start.foreach_location.line, start.foreach_location.column) == (line, 8)
    assert all(s.foreach_width is None for s in analysis.ir.steps if s.name != "start")
