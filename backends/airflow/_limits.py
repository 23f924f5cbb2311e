"""Airflow's fan-out limit: ``[core] max_map_length``, checked at compile time.

Every step inside a foreach is one task mapped over the flat list of its index paths
(``_plan.py``), so a foreach body's first task maps as many items as the body runs
children in the whole run: the foreach's width times the widths of the foreaches around
it. Airflow 3 refuses, in its API server when the upstream task pushes the list, an XCom
longer than ``[core] max_map_length`` (1,024 by default) as a mapping source: the
pushing task fails. It is a setting of the deployment, not of a DAG or task (no DAG
argument raises it), so the compiler checks against ``--option max_map_length`` (the
deployment's value, default Airflow's) and the diagnostic says which setting to raise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backends.fanout import FanOut
from flowc import codes
from flowc.diagnostics import Diagnostic, diag

MAX_MAP_LENGTH_OPTION = "max_map_length"
DEFAULT_MAX_MAP_LENGTH = 1024  # Airflow's own default for [core] max_map_length
OPTION_KEYS = {
    MAX_MAP_LENGTH_OPTION: "the deployment's [core] max_map_length, which a foreach's "
    f"mapped tasks must not pass (default {DEFAULT_MAX_MAP_LENGTH:,}, Airflow's)",
}


def max_map_length(extra: Mapping[str, Any]) -> tuple[int, list[Diagnostic]]:
    value = extra.get(MAX_MAP_LENGTH_OPTION)
    if value is None:
        return DEFAULT_MAX_MAP_LENGTH, []
    try:
        limit = int(str(value))
    except ValueError:
        limit = 0
    if limit < 1:
        message = f"--option {MAX_MAP_LENGTH_OPTION} must be a positive integer, not {value!r}"
        return DEFAULT_MAX_MAP_LENGTH, [diag(codes.FC305, message, None)]
    return limit, []


def check_fan_outs(fans: list[FanOut], limit: int) -> list[Diagnostic]:
    """FC309 where a foreach's body maps more items than ``limit``."""
    out = []
    for fan in fans:
        if fan.total is None or fan.total <= limit:
            continue
        nested = "" if fan.total == fan.width else f" ({fan.total:,} in all, nested)"
        out.append(
            diag(
                codes.FC309_AIRFLOW_MAP,
                f"{fan.described()}: its body's tasks map {fan.total:,} items{nested}; "
                f"Airflow fails the task that pushes a list longer than [core] "
                f"max_map_length ({limit:,})",
                fan.span,
                f"set [core] max_map_length = {fan.total} (AIRFLOW__CORE__MAX_MAP_LENGTH) "
                "where the Airflow API server runs (it is not a DAG or task setting), "
                f"then compile with --option {MAX_MAP_LENGTH_OPTION}={fan.total}",
            )
        )
    return out
