"""The decorator catalogue: the one declaration of every step and flow decorator.

Everything that knows about decorators derives from here: the analyzer validates and
normalises arguments with it (and writes the normalised values into the IR), the runtime's
decorator functions and the exported names of ``flowc`` and the ``metaflow`` fallback come
from it, and each backend declares for every (decorator, argument) how it maps it or which
diagnostic rejects it. Standard library only, cheap to import: every task imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runtime_shim.catalogue._declarations import (
    FLOW,
    MAX_ATTEMPTS,
    MAX_RETRIES,
    STEP,
    retry_delay_seconds,
    schedule_cron,
    timeout_seconds,
)
from runtime_shim.catalogue._kinds import CRON, TIMEZONE, InvalidValue, Kind
from runtime_shim.catalogue._kinds import STEP_NAMES as FUNCTION_NAMES
from runtime_shim.catalogue._model import Arg, DecoratorDef, Placement, Problem, Resolution

if TYPE_CHECKING:
    from runtime_shim.catalogue._cron import CronExpression

DECORATORS: dict[str, DecoratorDef] = {d.name: d for d in (*STEP, *FLOW)}
STEP_DECORATORS: dict[str, DecoratorDef] = {d.name: d for d in STEP}
FLOW_DECORATORS: dict[str, DecoratorDef] = {d.name: d for d in FLOW}


def decorator(name: str) -> DecoratorDef | None:
    """The decorator called ``name``, or None when it is not part of the user API."""
    return DECORATORS.get(name)


def parse_cron(text: str) -> CronExpression:
    """Parse a ``@schedule`` cron into its normal 5 fields (raises ``InvalidValue``).

    Imported on first use: only compile-time checks and schedulers need it.
    """
    from runtime_shim.catalogue._cron import parse_cron as parse

    return parse(text)


__all__ = [
    "CRON",
    "DECORATORS",
    "FLOW_DECORATORS",
    "FUNCTION_NAMES",
    "MAX_ATTEMPTS",
    "MAX_RETRIES",
    "STEP_DECORATORS",
    "TIMEZONE",
    "Arg",
    "CronExpression",
    "DecoratorDef",
    "InvalidValue",
    "Kind",
    "Placement",
    "Problem",
    "Resolution",
    "decorator",
    "parse_cron",
    "retry_delay_seconds",
    "schedule_cron",
    "timeout_seconds",
]
