"""The shim command of one step, as an ASL ``States.Array(...)`` expression.

The command is the ``TaskCommand`` every backend renders (``runtime_shim/command.py``); here
the per-task values come from the state data: the run id is the execution name, the index
path and task key are set by the enclosing Map's ``ItemSelector``, the attempt is
``$$.State.RetryCount`` and a recursive step's iteration is its loop counter. The
parameters enter as one document, ``States.JsonToString($.params)`` (``--param-document``),
as Metaflow passes them: a user's value is data and never syntax, and a name needs no
JSONPath spelling (``max-items`` works). The result is an argv list: no shell ever sees it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from backends.base import step_command
from backends.stepfunctions._intrinsics import call, fmt, lit
from backends.stepfunctions._naming import data_key
from backends.stepfunctions._options import SfnOptions
from flowc.ir import FlowIR, Step
from runtime_shim import command as shim

RUN_ID = "$.run_id"
IDX = "$.idx"
TASK = "$.task"
PARAMS = "$.params"
CONFIGS = "$.configs"
# Worst-case sizes of the values filled in at run time, for the compile-time checks.
MAX_RUN_ID = 80  # an execution name is at most 80 characters
# Digits of one foreach level's position. Inline: ArrayRange yields at most 1,000 items.
# Distributed: the items come from the split's foreach.json in S3 and no flowc limit
# applies; 9 digits hold positions below a billion (that file would be about 10 GB), far
# past what one Map Run processes, so the estimate stays an upper bound in practice.
MAX_INDEX_DIGITS = {"inline": 4, "distributed": 9}


def iteration_path(step: Step) -> str:
    return f"$.{data_key('iter', step.name)}"


@dataclass
class ShimCommand:
    """The argv expression and its longest possible rendered form (for limit checks)."""

    expression: str
    worst_case: list[str]


class AslEngine:
    """The shim command's words as ASL intrinsic arguments: literals quoted, the run id
    and index path as JSONPaths of the state data, numbers and parameter values through
    ``States.Format``."""

    def __init__(self, step: Step) -> None:
        self.step = step

    def word(self, parts: shim.Word) -> str:
        if all(isinstance(p, str) for p in parts):
            return lit("".join(str(p) for p in parts))
        alone = parts[0] if len(parts) == 1 else None
        if isinstance(alone, shim.Placeholder) and alone in _STRING_PATHS:
            return _STRING_PATHS[alone]
        template = "".join("{}" if isinstance(p, shim.Placeholder) else p for p in parts)
        return fmt(template, *(self._argument(p) for p in parts if isinstance(p, shim.Placeholder)))

    def _argument(self, value: shim.Placeholder) -> str:
        if value == shim.ATTEMPT:
            return "$$.State.RetryCount"
        if value == shim.ITERATION:
            return f"{iteration_path(self.step)}.n"
        if value == shim.PARAMS:
            return call("JsonToString", PARAMS)
        if value == shim.CONFIGS:
            return call("JsonToString", CONFIGS)
        return _STRING_PATHS[value]


_STRING_PATHS = {shim.RUN_ID: RUN_ID, shim.INDEX_PATH: IDX}


def worst_case_values(ir: FlowIR, step: Step, opts: SfnOptions) -> shim.Values:
    """The longest values the run can fill in (parameters: their defaults)."""
    index_worst = ".".join(["9" * MAX_INDEX_DIGITS[opts.map_mode]] * step.foreach_depth)
    values = {
        shim.RUN_ID: "r" * MAX_RUN_ID,
        shim.INDEX_PATH: index_worst,
        shim.ATTEMPT: "99",
        shim.ITERATION: "9999",
    }
    values[shim.PARAMS] = json.dumps(
        {p.name: p.default if p.has_default else None for p in ir.parameters}
    )
    values[shim.CONFIGS] = ir.config_document() or "{}"
    return shim.Values(values)


def shim_command(ir: FlowIR, step: Step, opts: SfnOptions) -> ShimCommand:
    command = step_command(
        ir,
        step,
        flow_file=opts.flow_file,
        datastore=opts.datastore_root,
        params={},
        param_document=shim.PARAMS if ir.parameters else None,
        configs=shim.CONFIGS if ir.configs else None,
        code_package=opts.code_package or None,
        environments=opts.environments,
    )
    return ShimCommand(
        call("Array", *shim.render(command, AslEngine(step), python=opts.python)),
        shim.render(command, worst_case_values(ir, step, opts), python=opts.python),
    )
