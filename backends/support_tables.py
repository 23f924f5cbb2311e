"""Every target variant with its coverage declaration, and the support tables of the docs.

A variant is a target in one of its modes (Airflow's operator, Step Functions' compute):
the options that select it and the :class:`backends.coverage.Coverage` it declares. The
tables in ``docs/argo.md``, ``docs/airflow.md`` and ``docs/stepfunctions.md`` are rendered
from here (``tests/contract/test_support_tables.py`` checks they are current), so the docs
cannot claim more than the backends do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backends.coverage import (
    WHOLE,
    Checked,
    Coverage,
    Handling,
    Mapped,
    PerArgument,
    Rejected,
    Runtime,
)


@dataclass(frozen=True)
class Variant:
    target: str
    mode: str  # "" for a target with one mode
    coverage: Coverage
    extra: dict[str, Any] = field(default_factory=dict)


def variants() -> list[Variant]:
    from backends.airflow._coverage import KUBERNETES_OPERATOR, LOCAL_OPERATOR
    from backends.argo._coverage import COVERAGE as ARGO
    from backends.stepfunctions._coverage import BY_COMPUTE

    out = [
        Variant("argo", "", ARGO),
        Variant("airflow", "operator=kubernetes", KUBERNETES_OPERATOR, {"operator": "kubernetes"}),
        Variant("airflow", "operator=local", LOCAL_OPERATOR, {"operator": "local"}),
    ]
    out += [
        Variant("stepfunctions", f"compute={name}", coverage, {"compute": name})
        for name, coverage in BY_COMPUTE.items()
    ]
    return out


BEGIN = "<!-- support table: generated from the coverage declaration; FLOWC_REGEN=1 -->"
END = "<!-- end of support table -->"


def _cell(handling: Handling | None) -> str:
    if isinstance(handling, Mapped):
        return f"mapped: {handling.to}"
    if isinstance(handling, Rejected):
        kind = handling.code.severity.value
        return f"{kind} {handling.code.code}: {handling.reason}"
    if isinstance(handling, Runtime):
        return f"shim: {handling.how}"
    if isinstance(handling, Checked):
        return f"flowc: {handling.how}"
    if isinstance(handling, PerArgument):
        return "by its arguments"
    return "undeclared"


def render_table(target: str) -> str:
    """The markdown support table of ``target``: one row per pair, one column per mode."""
    from backends.coverage import catalogue_pairs

    chosen = [v for v in variants() if v.target == target]
    modes = [v.mode or target for v in chosen]
    lines = [
        BEGIN,
        "",
        "| decorator | argument | " + " | ".join(modes) + " |",
        "|---|---|" + "---|" * len(modes),
    ]
    for name, argument in catalogue_pairs():
        cells = [_cell(v.coverage.of(name, argument)).replace("|", "\\|") for v in chosen]
        shown = "(itself)" if argument == WHOLE else f"`{argument}`"
        lines.append(f"| `@{name}` | {shown} | " + " | ".join(cells) + " |")
    return "\n".join([*lines, "", END])


def replace_table(document: str, table: str) -> str:
    """``document`` with its support table replaced by ``table``."""
    start = document.index(BEGIN)
    end = document.index(END, start) + len(END)
    return document[:start] + table + document[end:]
