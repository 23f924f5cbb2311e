"""Reading flow and step decorators into ``ir.Decorator`` records.

Arguments are recorded literally. Validation here is about what can be known statically:
unknown argument names, wrong placement, duplicates and obviously invalid values. What a
target can express is each backend's business.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from flowc.analyzer._literals import NotLiteral, literal_value, source_of
from flowc.analyzer._names import ApiNames
from flowc.diagnostics import Diagnostic, Span, diag
from flowc.ir import Decorator, Location


@dataclass(frozen=True)
class DecoratorSpec:
    placement: str  # "step" or "flow"
    args: frozenset[str] | None  # None: any keyword is accepted (engine-specific options)


def _spec(placement: str, *args: str) -> DecoratorSpec:
    return DecoratorSpec(placement, frozenset(args))


DECORATORS: dict[str, DecoratorSpec] = {
    "retry": _spec("step", "times", "minutes_between_retries"),
    "catch": _spec("step", "var", "print_exception"),
    "timeout": _spec("step", "seconds", "minutes", "hours"),
    "resources": _spec("step", "cpu", "memory", "gpu", "disk", "shared_memory"),
    "environment": _spec("step", "vars"),
    "kubernetes": DecoratorSpec("step", None),
    "batch": DecoratorSpec("step", None),
    "secrets": _spec("step", "sources", "role"),
    "card": _spec("step", "type", "id", "options", "timeout", "save_errors", "customize"),
    "parallel": _spec("step"),
    "pypi": _spec("step", "packages", "python", "disabled"),
    "conda": _spec("step", "packages", "libraries", "python", "disabled"),
    "schedule": _spec("flow", "hourly", "daily", "weekly", "cron", "timezone"),
    "project": _spec("flow", "name", "branch", "production"),
    "trigger": _spec("flow", "event", "events", "options"),
    "trigger_on_finish": _spec("flow", "flow", "flows", "options"),
    "pypi_base": _spec("flow", "packages", "python", "disabled"),
    "conda_base": _spec("flow", "packages", "libraries", "python", "disabled"),
}

_NON_NEGATIVE_NUMBERS = {
    "retry": ("times", "minutes_between_retries"),
    "timeout": ("seconds", "minutes", "hours"),
}


def span_of(file: str, node: ast.AST) -> Span:
    return Span.at(
        file,
        getattr(node, "lineno", 1),
        getattr(node, "col_offset", 0),
        getattr(node, "end_lineno", None),
        getattr(node, "end_col_offset", None),
    )


def location_of(file: str, node: ast.AST) -> Location:
    return Location(file, getattr(node, "lineno", 1), getattr(node, "col_offset", 0))


def read_decorators(
    nodes: list[ast.expr],
    placement: str,
    names: ApiNames,
    file: str,
    source: str,
    out: list[Diagnostic],
) -> list[Decorator]:
    """Decorators other than ``@step`` (the caller handles that one)."""
    found: list[Decorator] = []
    seen: set[str] = set()
    for node in nodes:
        name = names.canonical(node)
        if name == "step":
            continue
        span = span_of(file, node)
        if name is None or name not in DECORATORS:
            out.append(
                diag(
                    "FC203",
                    f"decorator `{source_of(source, node)}` is not part of the "
                    "flow API and is ignored",
                    span,
                    "flowc records only the Metaflow/flowc decorators",
                )
            )
            continue
        spec = DECORATORS[name]
        if spec.placement != placement:
            where = "a flow class" if spec.placement == "flow" else "a step method"
            out.append(
                diag(
                    "FC210",
                    f"@{name} belongs on {where}, not on a {placement}",
                    span,
                    f"move @{name} to {where}",
                )
            )
            continue
        if name in seen:
            out.append(
                diag(
                    "FC207", f"@{name} is applied more than once", span, f"remove the extra @{name}"
                )
            )
            continue
        seen.add(name)
        found.append(_read_one(name, node, spec, file, source, out))
    return found


def _read_one(
    name: str, node: ast.expr, spec: DecoratorSpec, file: str, source: str, out: list[Diagnostic]
) -> Decorator:
    args: dict[str, Any] = {}
    source_args: dict[str, str] = {}
    if isinstance(node, ast.Call):
        for positional in node.args:
            out.append(
                diag(
                    "FC208",
                    f"@{name} takes keyword arguments only",
                    span_of(file, positional),
                    f"write @{name}(<name>=...) as in the flow API documentation",
                )
            )
        for kw in node.keywords:
            if kw.arg is None:
                out.append(
                    diag(
                        "FC201",
                        f"@{name}(**...) cannot be read statically",
                        span_of(file, kw.value),
                    )
                )
                source_args["**"] = source_of(source, kw.value)
                continue
            if spec.args is not None and kw.arg not in spec.args:
                from flowc.diagnostics import Fix, FixKind, did_you_mean

                guess = did_you_mean(kw.arg, sorted(spec.args))
                kw_span = span_of(file, kw)
                out.append(
                    diag(
                        "FC206",
                        f"@{name} has no argument `{kw.arg}`",
                        kw_span,
                        guess.hint
                        if guess
                        else f"valid arguments: {', '.join(sorted(spec.args)) or 'none'}",
                        # The one fix hook for FC206: rename to the unique close argument.
                        Fix(FixKind.RENAME_KEYWORD, kw_span, kw.arg, guess.unique)
                        if guess and guess.unique
                        else None,
                    )
                )
                continue
            try:
                args[kw.arg] = literal_value(kw.value)
            except NotLiteral:
                text = source_of(source, kw.value)
                source_args[kw.arg] = text
                out.append(
                    diag(
                        "FC201",
                        f"@{name}({kw.arg}=...) is not a literal; kept as source text `{text}`",
                        span_of(file, kw.value),
                        "use a literal value so every target can use it",
                    )
                )
    _check_values(name, args, node, file, out)
    return Decorator(name, args, source_args, location_of(file, node))


def _check_values(
    name: str, args: dict[str, Any], node: ast.expr, file: str, out: list[Diagnostic]
) -> None:
    for key in _NON_NEGATIVE_NUMBERS.get(name, ()):
        value = args.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0
        ):
            out.append(
                diag(
                    "FC208",
                    f"@{name}({key}={value!r}) must be a non-negative number",
                    span_of(file, node),
                    f"write e.g. @{name}({key}=3)",
                )
            )
    if name == "environment" and "vars" in args:
        env = args["vars"]
        if not isinstance(env, dict) or not all(
            isinstance(v, (str, int, float, bool)) for v in env.values()
        ):
            out.append(
                diag(
                    "FC208",
                    "@environment(vars=...) must be a dict of names to strings",
                    span_of(file, node),
                    'write e.g. @environment(vars={"MODE": "fast"})',
                )
            )
    if (
        name == "catch"
        and "var" in args
        and args["var"] is not None
        and (not isinstance(args["var"], str) or not args["var"].isidentifier())
    ):
        out.append(
            diag(
                "FC208",
                f"@catch(var={args['var']!r}) must be an identifier",
                span_of(file, node),
                'name the artifact that receives the exception, e.g. @catch(var="failure")',
            )
        )
    if name == "schedule":
        chosen = [k for k in ("hourly", "daily", "weekly", "cron") if args.get(k)]
        if len(chosen) > 1:
            out.append(
                diag(
                    "FC208",
                    f"@schedule takes one of hourly, daily, weekly or cron, "
                    f"not {', '.join(chosen)}",
                    span_of(file, node),
                    f"keep only one of {', '.join(chosen)}",
                )
            )
