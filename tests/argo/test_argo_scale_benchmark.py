"""The Argo scale benchmark's own logic (``benchmarks/argo_scale.py``) at a small width:
compiled by the CLI, run by the harness, its checks, its node map against flowc's
estimate, and the budget that stops a run too large for the time at hand."""

from __future__ import annotations

from pathlib import Path

from benchmarks import argo_scale


def test_a_small_foreach_passes_every_check(tmp_path: Path) -> None:
    row = argo_scale.run_case("foreach-3", tmp_path, pods=2, compare=True, top=0, budget=None)
    assert row.failures == [], row.failures
    assert row.pods == 6 and row.phase == "Succeeded"
    assert any("join's total = sum of squares of all 3 items (5)" in c for c in row.checks)
    assert any("equal `flowc run`'s" in c for c in row.checks)
    assert any("same size" in c for c in row.checks)
    assert row.status["nodes"] == row.status["estimate_nodes"] == 11
    assert row.default_diagnostics == "none"
    assert "foreach-3" in argo_scale.render([row], type("A", (), {"pods": 2})())


def test_the_budget_stops_the_run(tmp_path: Path) -> None:
    row = argo_scale.run_case("foreach-5", tmp_path, pods=2, compare=False, top=0, budget=0.0)
    assert row.stopped.startswith("stopped by the 0 s budget after 0 of 8 pods")
    assert row.shape_only and row.status["nodes"] == 15
