"""``--with NAME[:ARG=VALUE,...]``: attach a step decorator to every step of a run.

As in Metaflow, a step that already carries the decorator keeps its own (the flow's
choice wins), and the arguments are validated by the decorator catalogue like the flow's
own. The local runner reads retries and timeouts from the IR; the task process reads the
same decorators from ``FLOWC_STEP_DECORATORS`` (``@catch``, ``@timeout``, ``@environment``
act inside the task). A name that is not a step decorator of the flow API is a usage
error, never silently dropped.
"""

from __future__ import annotations

import ast
import json
from dataclasses import replace
from typing import Any

import click

from flowc.ir import Decorator, FlowIR, Location

TASK_DECORATORS_ENV = "FLOWC_STEP_DECORATORS"


def parse_decospec(spec: str) -> tuple[str, dict[str, Any]]:
    """``retry:times=3,minutes_between_retries=0`` -> ("retry", {"times": 3, ...})."""
    name, _, rest = spec.strip().partition(":")
    args: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, raw = item.partition("=")
        if not eq or not key.strip():
            raise click.BadParameter(
                f"expected NAME:ARG=VALUE,..., got {spec!r}", param_hint="--with"
            )
        try:
            value: Any = ast.literal_eval(raw.strip())
        except (ValueError, SyntaxError):
            value = raw.strip()
        args[key.strip()] = value
    return name.strip(), args


def resolve_decospecs(specs: tuple[str, ...] | list[str]) -> list[Decorator]:
    """Each ``--with`` as a resolved IR decorator; a bad one is a usage error."""
    from runtime_shim.catalogue import decorator

    found: list[Decorator] = []
    for spec in specs:
        name, given = parse_decospec(spec)
        definition = decorator(name)
        if definition is None:
            raise click.BadParameter(
                f"@{name} is not a decorator flowc knows, so it cannot be attached to the steps",
                param_hint="--with",
            )
        if definition.placement != "step":
            raise click.BadParameter(
                f"@{name} is a flow decorator; --with attaches step decorators only",
                param_hint="--with",
            )
        resolution = definition.resolve(given)
        if resolution.problems:
            details = "; ".join(p.message for p in resolution.problems)
            raise click.BadParameter(f"@{name}: {details}", param_hint="--with")
        found.append(
            Decorator(name, resolution.values, {}, Location("--with", 1, 0), sorted(given))
        )
    return found


def attach_decorators(ir: FlowIR, decorators: list[Decorator]) -> FlowIR:
    """``ir`` with ``decorators`` added to every step that does not already have them."""
    if not decorators:
        return ir
    steps = []
    for step in ir.steps:
        present = {d.name for d in step.decorators}
        added = [d for d in decorators if d.name not in present]
        steps.append(replace(step, decorators=[*step.decorators, *added]) if added else step)
    return replace(ir, steps=steps)


def task_environment(decorators: list[Decorator]) -> dict[str, str]:
    """What a task process needs to apply the attached decorators itself."""
    if not decorators:
        return {}
    return {TASK_DECORATORS_ENV: json.dumps({d.name: d.args for d in decorators})}
