"""History events and fan-out limits of Step Functions.

The event count flowc computes for a definition (``_history.count_events``) is compared
with the real histories of executions in moto's ASL interpreter; the limits it reports
(FC309) are checked around their thresholds, derived from the same count.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backends.base import TargetOptions
from backends.stepfunctions import BACKEND
from backends.stepfunctions._history import ARRAY_RANGE_LIMIT, HISTORY_LIMIT, count_events
from flowc.compiler import analyze_source
from flowc.diagnostics import Diagnostic
from tests.support.sfn import definition, load_ir, shape_path
from tests.support.sfn_harness import MotoServer, WorkerPool, execute

BUCKET = "flowc-sfn-history"
ROOT = f"s3://{BUCKET}/data"


def _map_widths(asl: dict[str, Any], width: int) -> dict[str, int]:
    """Every Map state of the definition, at ``width`` items."""
    found: dict[str, int] = {}
    scopes = [asl]
    while scopes:
        scope = scopes.pop()
        for name, state in scope["States"].items():
            if state["Type"] == "Map":
                found[name] = width
                scopes.append(state["ItemProcessor"])
            scopes.extend(state.get("Branches", []))
    return found


@pytest.mark.parametrize(
    ("shape", "mode"),
    [("foreach", "inline"), ("foreach", "distributed"), ("branch", "inline"), ("linear", "inline")],
)
def test_counted_events_match_the_real_history(
    shape: str, mode: str, moto_server: MotoServer
) -> None:
    path = shape_path(shape)
    s3, sqs = moto_server.client("s3"), moto_server.client("sqs")
    s3.create_bucket(Bucket=BUCKET)
    queue = sqs.create_queue(QueueName=f"flowc-history-{shape}-{mode}")["QueueUrl"]
    text = definition(
        path,
        datastore_root=ROOT,
        extra={"compute": "callback", "queue_url": queue, "map_mode": mode},
    )
    with WorkerPool(moto_server, queue, size=2) as pool:
        result = execute(moto_server, text, f"history-{shape}-{mode}", f"history-{shape}-{mode}")
    assert result.status == "SUCCEEDED", [r.stderr for r in pool.runs if r.returncode]
    widths = {s.name: s.foreach_width for s in load_ir(path).steps if s.foreach_width}
    asl = json.loads(text)
    counted = count_events(asl, _map_widths(asl, max(widths.values(), default=1)))
    assert counted.execution == len(result.history)


FLOW = """
from metaflow import FlowSpec, step


class FanFlow(FlowSpec):
    @step
    def start(self):
        self.outer = {outer}
        self.next(self.split_inner, foreach="outer")

    @step
    def split_inner(self):
        self.inner = {inner}
        self.next(self.leaf, foreach="inner")

    @step
    def leaf(self):
        self.next(self.join_inner)

    @step
    def join_inner(self, inputs):
        self.next(self.join_outer)

    @step
    def join_outer(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
"""
FLAT = """
from metaflow import FlowSpec, step


class FlatFlow(FlowSpec):
    @step
    def start(self):
        self.outer = {outer}
        self.next(self.leaf, foreach="outer")

    @step
    def leaf(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
"""
FLAT_LINE = FLAT.splitlines().index('        self.next(self.leaf, foreach="outer")') + 1
OUTER_LINE = FLOW.splitlines().index('        self.next(self.split_inner, foreach="outer")') + 1
INNER_LINE = FLOW.splitlines().index('        self.next(self.leaf, foreach="inner")') + 1


def _compile(
    tmp_path: Path, outer: str, inner: str | None, **extra: str
) -> tuple[Any, list[Diagnostic]]:
    """Compile the nested flow (the flat one without ``inner``) at these widths."""
    path = tmp_path / "fan.py"
    text = FLAT.format(outer=outer) if inner is None else FLOW.format(outer=outer, inner=inner)
    analysis = analyze_source(str(path), text)
    assert analysis.ir is not None, [d.message for d in analysis.diagnostics]
    result = BACKEND.emit(analysis.ir, TargetOptions(datastore_root=ROOT, extra=extra))
    asl = json.loads(result.files[0].content) if result.files else None
    return asl, result.diagnostics


def _fc309(found: list[Diagnostic]) -> list[tuple[str | None, int]]:
    return [(d.subcode, d.span.start.line if d.span else 0) for d in found if d.code == "FC309"]


def test_inline_map_items_are_capped_by_array_range(tmp_path: Path) -> None:
    fits, found = _compile(tmp_path, f"range({ARRAY_RANGE_LIMIT})", None)
    assert fits is not None and _fc309(found) == []
    assert count_events(fits, _map_widths(fits, ARRAY_RANGE_LIMIT)).execution <= HISTORY_LIMIT
    _, found = _compile(tmp_path, f"range({ARRAY_RANGE_LIMIT + 1})", None)
    assert _fc309(found) == [("inline-map-items", FLAT_LINE)]
    wide = f"range({ARRAY_RANGE_LIMIT + 1})"
    fits, found = _compile(tmp_path, wide, None, map_mode="distributed")
    assert fits is not None and _fc309(found) == []


def _widest_inner_within_history(tmp_path: Path, outer: int) -> int:
    """The widest inner foreach whose run, ``outer`` wide, keeps the history within the
    limit, solved from the counted events (linear in the inner width)."""
    asl, _ = _compile(tmp_path, f"range({outer})", "[1]")
    names = _map_widths(asl, 1)
    outer_map, inner_map = sorted(names, key=lambda n: not n.startswith("start"))
    one = count_events(asl, {outer_map: outer, inner_map: 1}).execution
    two = count_events(asl, {outer_map: outer, inner_map: 2}).execution
    return (HISTORY_LIMIT - one) // (two - one) + 1


def test_nested_inline_maps_pass_the_history_limit(tmp_path: Path) -> None:
    outer = 40
    inner = _widest_inner_within_history(tmp_path, outer)
    assert inner <= ARRAY_RANGE_LIMIT  # the history binds before ArrayRange here
    _, found = _compile(tmp_path, f"range({outer})", f"range({inner})")
    assert _fc309(found) == []
    _, found = _compile(tmp_path, f"range({outer})", f"range({inner + 1})")
    assert _fc309(found) == [("history-events", INNER_LINE)]
    assert "can reach" in found[-1].message and f"{HISTORY_LIMIT:,}" in found[-1].message
    # Distributed: each outer child is a child execution with its own history.
    _, found = _compile(tmp_path, f"range({outer})", f"range({inner + 1})", map_mode="distributed")
    assert _fc309(found) == []


def test_a_width_the_source_does_not_fix_comes_from_the_option(tmp_path: Path) -> None:
    _, found = _compile(tmp_path, "sorted(set(range(5000)))", None)
    assert _fc309(found) == []  # unknown: not checked
    width = str(ARRAY_RANGE_LIMIT + 1)
    _, found = _compile(tmp_path, "sorted(set(range(5000)))", None, foreach_width=width)
    assert _fc309(found) == [("inline-map-items", FLAT_LINE)]
    assert f"--option foreach_width={width}" in found[0].message
    _, found = _compile(tmp_path, "load()", None, foreach_width="wide")
    assert [d.code for d in found] == ["FC305"]
