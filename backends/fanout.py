"""The foreach widths a target's fan-out limits are checked at.

A foreach's width is the width the source fixes (``Step.foreach_width``: a list display,
``range`` of literals or of parameter defaults) or, for a foreach whose width only the
run knows, the ``foreach_width`` option every target takes (the widest fan-out the
deployment expects). Without either, nothing is checked: the limits bind at run time.

Each target turns the widths into its own figure (``backends/argo/_status.py``: node
statuses in the Workflow object; ``backends/airflow/_limits.py``: the mapped list's
length; ``backends/stepfunctions/_history.py``: history events); the diagnostics are
FC309 at the ``self.next(..., foreach=...)`` line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowc import codes
from flowc.diagnostics import Diagnostic, Span, diag
from flowc.ir import FlowIR, Step

WIDTH_OPTION = "foreach_width"
# Merged into every target's option table.
OPTION_KEYS: dict[str, str] = {
    WIDTH_OPTION: "width to check the engine's fan-out limits at, for a foreach whose "
    "width the source does not fix (default: none, not checked)",
}


@dataclass(frozen=True)
class FanOut:
    """One foreach split at the width it is checked at. ``total`` is how many children
    its body runs in the whole run: the product of the widths of every enclosing foreach
    (None when one of them has no known width)."""

    step: Step
    width: int
    total: int | None
    declared: str  # where the width comes from, for messages

    @property
    def span(self) -> Span:
        return (self.step.foreach_location or self.step.location).span()

    def described(self) -> str:
        return f"foreach `{self.step.name}` at {self.width:,} wide ({self.declared})"


def fan_outs(ir: FlowIR, extra: Mapping[str, Any]) -> tuple[list[FanOut], list[Diagnostic]]:
    """Every foreach with a width to check, in IR order, and FC305 for a bad option."""
    option, problems = _width_option(extra)
    widths: dict[str, tuple[int, str]] = {}
    for step in ir.steps:
        if step.transition != "foreach":
            continue
        if step.foreach_width is not None:
            widths[step.name] = (step.foreach_width, "its width in the source")
        elif option is not None:
            widths[step.name] = (option, f"--option {WIDTH_OPTION}={option}")
    out = []
    for step in ir.steps:
        if step.name not in widths:
            continue
        width, declared = widths[step.name]
        total: int | None = width
        for outer in step.foreach_stack:
            known = widths.get(outer)
            total = total * known[0] if total is not None and known is not None else None
        out.append(FanOut(step, width, total, declared))
    return out, problems


def _width_option(extra: Mapping[str, Any]) -> tuple[int | None, list[Diagnostic]]:
    value = extra.get(WIDTH_OPTION)
    if value is None:
        return None, []
    try:
        width = int(str(value))
    except ValueError:
        width = -1
    if width < 1:
        message = f"--option {WIDTH_OPTION} must be a positive integer, not {value!r}"
        return None, [diag(codes.FC305, message, None)]
    return width, []
