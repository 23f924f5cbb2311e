"""The Workflow object's node statuses at a foreach's width: the estimate flowc makes at
compile time, against the node map of the run (the harness's nodes for the emitted
manifest, linked as the controller links them) built and gzipped in full, and FC310/FC309
either side of the controller's limit (found from the same estimate)."""

from __future__ import annotations

import yaml

from backends.argo import BACKEND
from backends.argo._manifest import header
from backends.argo._options import resolve
from backends.argo._status import MAX_WORKFLOW_SIZE, node_status, status_size
from backends.base import TargetOptions
from flowc.compiler import analyze_source
from flowc.diagnostics import Diagnostic
from flowc.ir import FlowIR

FLOW = """
from metaflow import FlowSpec, step


class WideFlow(FlowSpec):
    @step
    def start(self):
        self.items = {items}
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
LINE = FLOW.splitlines().index('        self.next(self.work, foreach="items")') + 1


def _ir(items: str) -> FlowIR:
    ir = analyze_source("wide.py", FLOW.format(items=items)).ir
    assert ir is not None
    return ir


def test_estimate_matches_the_full_node_map() -> None:
    from tests.support.argo_nodes import WalkWithoutPods, measure, node_map

    width = 3000
    ir = _ir(f"range({width})")
    options = TargetOptions(datastore_root="s3://b/p", extra={"kind": "Workflow"})
    manifest = yaml.safe_load(BACKEND.emit(ir, options).files[0].content)
    name = manifest["metadata"]["generateName"]
    walk = WalkWithoutPods(
        manifest, cwd=".", workflow_name=name + "abcde", values={"count": "3000"}
    )
    stored = measure(node_map(manifest, walk.submit()))
    estimate = status_size(ir, name.rstrip("-"), {"start": width})
    assert estimate.nodes == stored.nodes == 2 * width + 5
    # Each node is measured at its widest index: an upper bound within a few per cent.
    assert stored.raw_bytes <= estimate.raw_bytes <= stored.raw_bytes * 1.03, (estimate, stored)
    assert abs(estimate.compressed_bytes - stored.compressed_bytes) <= 0.1 * stored.compressed_bytes


def test_a_pod_node_has_the_controllers_fields() -> None:
    name = "wideflow-xxxxx.start-body(7:7).work"
    node = node_status("wideflow-xxxxx", name, "Pod", "work", 3, "7")
    assert (node["displayName"], node["type"], node["phase"]) == ("work", "Pod", "Succeeded")
    assert node["id"].startswith("wideflow-xxxxx-") and node["id"][15:].isdigit()
    assert node["inputs"] == {"parameters": [{"name": "idx", "value": "7"}]}


def _diagnostics(width: int, **extra: str) -> list[Diagnostic]:
    options = TargetOptions(datastore_root="s3://b/p", extra=extra)
    return BACKEND.emit(_ir(f"range({width})"), options).diagnostics


def _fan_out_codes(found: list[Diagnostic]) -> list[tuple[str, str | None, int]]:
    return [
        (d.code, d.subcode, d.span.start.line if d.span else 0)
        for d in found
        if d.code in ("FC309", "FC310")
    ]


def _resource_name() -> str:
    ir = _ir("[1]")
    return header(ir, resolve(ir, TargetOptions(datastore_root="s3://b/p"))).name


def _first_width(limit: float, field: str) -> int:
    """The narrowest foreach whose estimated status (``field``) passes ``limit``."""
    low, high, name = 1, 1 << 16, _resource_name()
    while low < high:
        mid = (low + high) // 2
        size = status_size(_ir(f"range({mid})"), name, {"start": mid})
        if getattr(size, field) > limit:
            high = mid
        else:
            low = mid + 1
    return low


def test_compressed_then_failing_either_side_of_the_limit() -> None:
    spec = 2_500  # about the spec of this flow's manifest; the thresholds are far apart
    compressed_from = _first_width(MAX_WORKFLOW_SIZE - spec, "raw_bytes")
    failing_from = _first_width(MAX_WORKFLOW_SIZE - spec, "compressed_bytes")
    assert compressed_from < failing_from
    assert _fan_out_codes(_diagnostics(compressed_from - 50)) == []
    assert _fan_out_codes(_diagnostics(compressed_from + 50)) == [("FC310", None, LINE)]
    assert _fan_out_codes(_diagnostics(failing_from - 50)) == [("FC310", None, LINE)]
    failing = _diagnostics(failing_from + 50)
    assert _fan_out_codes(failing) == [("FC309", "workflow-status-size", LINE)]
    assert "nodeStatusOffLoad" in (failing[-1].hint or "")
    offloaded = _diagnostics(failing_from + 50, node_status_offload="true")
    assert _fan_out_codes(offloaded) == []


def test_unknown_width_is_checked_at_the_option() -> None:
    ir = _ir("load()")
    assert (
        _fan_out_codes(BACKEND.emit(ir, TargetOptions(datastore_root="s3://b/p")).diagnostics) == []
    )
    options = TargetOptions(datastore_root="s3://b/p", extra={"foreach_width": "20000"})
    assert _fan_out_codes(BACKEND.emit(ir, options).diagnostics) == [
        ("FC309", "workflow-status-size", LINE)
    ]
