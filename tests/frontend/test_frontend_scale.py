"""Large flows: no recursion limits, and analysis time grows linearly with flow size."""

from __future__ import annotations

import importlib.util
import sys
import time
from types import ModuleType

from flowc.compiler import analyze_source
from tests.support.frontend import REPO


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compile_bench", REPO / "benchmarks" / "compile.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


GENERATED = _benchmark().generated_flow


def _cpu_seconds(source: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        analysis = analyze_source("big.py", source)
        best = min(best, time.process_time() - start)
        assert analysis.ok, analysis.diagnostics[:3]
    return best


def test_5000_steps_analyze_in_linear_time() -> None:
    small, large = GENERATED(1000), GENERATED(5000)
    analysis = analyze_source("big.py", large)
    assert analysis.ir is not None and len(analysis.ir.steps) == 5000
    ratio = _cpu_seconds(large) / _cpu_seconds(small)
    # Linear growth gives ~5; quadratic parts would give ~25. CPU time, not wall time,
    # so a busy machine does not make this flaky.
    assert ratio < 9, f"5x the steps took {ratio:.1f}x the CPU time"


def test_a_5000_step_cycle_is_a_cycle_not_a_recursion_error() -> None:
    source = GENERATED(5000).replace("self.next(self.end)", "self.next(self.s0)")
    analysis = analyze_source("cycle.py", source)
    codes = sorted({d.code for d in analysis.diagnostics})
    assert codes == ["FC113", "FC114"]  # the loop, and `end` no longer reachable
    message = next(d.message for d in analysis.diagnostics if d.code == "FC113")
    assert len(message) < 200 and "more" in message
