"""Reading a step's ``self.next(...)`` call: its targets, and a foreach, switch or
``num_parallel`` if it has one, into the step's ``StepSource``."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from flowc import codes
from flowc.analyzer._decorators import span_of
from flowc.analyzer._literals import NotLiteral, literal_value, source_of
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import Switch

if TYPE_CHECKING:
    from flowc.analyzer._steps import StepSource


def parse_next_call(call: ast.Call, step: StepSource, source: str, out: list[Diagnostic]) -> None:
    file = step.file
    keywords: dict[str, ast.keyword] = {}
    for kw in call.keywords:
        if kw.arg not in ("foreach", "condition", "num_parallel"):
            out.append(
                diag(
                    codes.FC105,
                    f"self.next() does not take `{source_of(source, kw)}`",
                    span_of(file, kw),
                    "valid keywords: foreach, condition, num_parallel",
                )
            )
            continue
        keywords[kw.arg] = kw
    if not call.args:
        out.append(
            diag(
                codes.FC105,
                "self.next() needs at least one target step",
                span_of(file, call),
                "write self.next(self.<step>)",
            )
        )
        return
    if "condition" in keywords or isinstance(call.args[0], ast.Dict):
        _parse_switch(call, step, keywords, source, out)
        return
    for arg in call.args:
        target = _self_attribute(arg)
        if target is None:
            out.append(
                diag(
                    codes.FC104,
                    f"transition target `{source_of(source, arg)}` is not a step reference",
                    span_of(file, arg),
                    "targets must be written as self.<step_name>; choose between steps "
                    "at run time with a switch",
                )
            )
            continue
        step.targets.append(target)
        step.target_spans.append(span_of(file, arg))
    if "foreach" in keywords and "num_parallel" in keywords:
        out.append(
            diag(
                codes.FC105,
                "self.next() cannot take both foreach and num_parallel",
                span_of(file, call),
            )
        )
    if "foreach" in keywords:
        _parse_foreach(call, step, keywords["foreach"], source, out)
    elif "num_parallel" in keywords:
        kw = keywords["num_parallel"]
        try:
            value: Any = literal_value(kw.value)
        except NotLiteral:
            value = source_of(source, kw.value)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, str))
            or (isinstance(value, int) and value < 1)
        ):
            out.append(
                diag(
                    codes.FC105,
                    "num_parallel must be a positive integer",
                    span_of(file, kw.value),
                    "write e.g. num_parallel=4",
                )
            )
            value = None
        step.num_parallel = value
        step.transition = "foreach"
        if len(call.args) != 1:
            out.append(
                diag(
                    codes.FC105,
                    "a num_parallel transition has exactly one target",
                    span_of(file, call),
                )
            )
    else:
        step.transition = "linear" if len(call.args) == 1 else "split"


def _parse_foreach(
    call: ast.Call, step: StepSource, kw: ast.keyword, source: str, out: list[Diagnostic]
) -> None:
    file = step.file
    step.transition = "foreach"
    try:
        var = literal_value(kw.value)
    except NotLiteral:
        var = None
    if not isinstance(var, str) or not var.isidentifier():
        out.append(
            diag(
                codes.FC105,
                "foreach= must name an artifact as a string literal",
                span_of(file, kw.value),
                'write foreach="items" for self.items',
            )
        )
    else:
        step.foreach_var = var
    if len(call.args) != 1:
        out.append(
            diag(
                codes.FC105,
                "a foreach transition has exactly one target",
                span_of(file, call),
                "put the steps of the body after that target",
            )
        )


def _parse_switch(
    call: ast.Call,
    step: StepSource,
    keywords: dict[str, ast.keyword],
    source: str,
    out: list[Diagnostic],
) -> None:
    file = step.file
    step.transition = "switch"
    mapping = call.args[0]
    if len(call.args) != 1 or not isinstance(mapping, ast.Dict):
        out.append(
            diag(
                codes.FC105,
                'a switch is written self.next({"case": self.step, ...}, condition="attr")',
                span_of(file, call),
            )
        )
        return
    if "condition" not in keywords:
        out.append(
            diag(
                codes.FC105,
                'a switch needs condition="<artifact name>"',
                span_of(file, call),
                'add condition="<attr>" naming the artifact whose value selects the case',
            )
        )
        condition = None
    else:
        try:
            condition = literal_value(keywords["condition"].value)
        except NotLiteral:
            condition = None
        if not isinstance(condition, str) or not condition.isidentifier():
            out.append(
                diag(
                    codes.FC105,
                    "condition= must name an artifact as a string literal",
                    span_of(file, keywords["condition"].value),
                    'write condition="mode" for self.mode',
                )
            )
            condition = None
    cases: dict[str, str] = {}
    for key, value in zip(mapping.keys, mapping.values, strict=True):
        if key is None:
            out.append(
                diag(codes.FC104, "switch cases cannot be unpacked (**)", span_of(file, value))
            )
            continue
        try:
            case = literal_value(key)
        except NotLiteral:
            case = None
        if isinstance(case, bool) or not isinstance(case, (str, int)):
            out.append(
                diag(
                    codes.FC105,
                    f"switch case `{source_of(source, key)}` must be a string literal",
                    span_of(file, key),
                    'write each case as "value": self.<step_name>',
                )
            )
            continue
        target = _self_attribute(value)
        if target is None:
            out.append(
                diag(
                    codes.FC104,
                    f"switch target `{source_of(source, value)}` is not a step reference",
                    span_of(file, value),
                    'write each case as "value": self.<step_name>',
                )
            )
            continue
        if str(case) in cases:
            out.append(
                diag(
                    codes.FC105,
                    f"switch case {str(case)!r} appears twice",
                    span_of(file, key),
                    "each case value leads to one step; remove the duplicate",
                )
            )
            continue
        cases[str(case)] = target
        if target not in step.targets:
            step.targets.append(target)
            step.target_spans.append(span_of(file, value))
    if len(mapping.keys) < 2:
        out.append(
            diag(
                codes.FC119,
                f"the switch in step `{step.name}` has "
                f"{len(mapping.keys)} case(s); a switch needs at least two",
                span_of(file, mapping),
                "use self.next(self.<step>) for a single transition",
            )
        )
    if condition is not None:
        step.switch = Switch(condition, cases)


def _self_attribute(node: ast.expr) -> str | None:
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    ):
        return node.attr
    return None
