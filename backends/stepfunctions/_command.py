"""The shim command of one step, as an ASL ``States.Array(...)`` expression.

The command is the same in every backend (DESIGN.md, "the shim command"); here the
per-task values come from the state data: the run id is the execution name, the index
path and task key are set by the enclosing Map's ``ItemSelector``, the attempt is
``$$.State.RetryCount`` and a recursive step's iteration is its loop counter. Parameter
values enter only as ``States.JsonToString`` of a JSONPath, so a user's value is data and
never syntax. The result is an argv list: no shell ever sees it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from backends.stepfunctions._intrinsics import call, fmt, lit
from backends.stepfunctions._naming import data_key
from backends.stepfunctions._options import SfnOptions
from flowc.ir import FlowIR, Step

RUN_ID = "$.run_id"
IDX = "$.idx"
TASK = "$.task"
PARAMS = "$.params"
# Worst-case sizes of the values filled in at run time, for the compile-time checks.
MAX_RUN_ID = 80  # an execution name is at most 80 characters
# Digits of one foreach level's position. Inline: ArrayRange yields at most 1,000 items.
# Distributed: the items come from the split's foreach.json in S3 and no flowc limit
# applies; 9 digits hold positions below a billion (that file would be about 10 GB), far
# past what one Map Run processes, so the estimate stays an upper bound in practice.
MAX_INDEX_DIGITS = {"inline": 4, "distributed": 9}


def is_recursive(step: Step) -> bool:
    """A switch step that can choose itself again (a loop at one index path)."""
    return step.switch is not None and step.name in step.switch.cases.values()


def iteration_path(step: Step) -> str:
    return f"$.{data_key('iter', step.name)}"


@dataclass
class ShimCommand:
    """The argv expression and its longest possible rendered form (for limit checks)."""

    expression: str
    worst_case: list[str]


def shim_command(ir: FlowIR, step: Step, opts: SfnOptions) -> ShimCommand:
    attempt = fmt("{}", "$$.State.RetryCount")
    index_worst = ".".join(["9" * MAX_INDEX_DIGITS[opts.map_mode]] * step.foreach_depth)
    parts: list[tuple[str, str]] = [
        (lit(opts.python), opts.python),
        (lit("-m"), "-m"),
        (lit("runtime_shim"), "runtime_shim"),
        (lit("step"), "step"),
        (lit(opts.flow_file), opts.flow_file),
        (lit("--flow"), "--flow"),
        (lit(ir.name), ir.name),
        (lit("--step"), "--step"),
        (lit(step.name), step.name),
        (lit("--inputs"), "--inputs"),
        (lit(step.input_rule.render()), step.input_rule.render()),
        (lit("--run-id"), "--run-id"),
        (RUN_ID, "r" * MAX_RUN_ID),
        (lit("--index-path"), "--index-path"),
        (IDX, index_worst),
        (lit("--attempt"), "--attempt"),
        (attempt, "99"),
        (lit("--datastore"), "--datastore"),
        (lit(opts.datastore_root), opts.datastore_root),
    ]
    if is_recursive(step):
        parts += [
            (lit("--iteration"), "--iteration"),
            (fmt("{}", f"{iteration_path(step)}.n"), "9999"),
        ]
    if step.name == ir.start:
        for param in ir.parameters:
            value = json.dumps(param.default) if param.has_default else "null"
            parts += [
                (lit("--param"), "--param"),
                (
                    fmt(f"{param.name}={{}}", call("JsonToString", f"{PARAMS}.{param.name}")),
                    f"{param.name}={value}",
                ),
            ]
    if opts.code_package:
        parts += [
            (lit("--code-package"), "--code-package"),
            (lit(opts.code_package), opts.code_package),
        ]
    return ShimCommand(call("Array", *(p[0] for p in parts)), [p[1] for p in parts])
