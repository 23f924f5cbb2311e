"""Reading flow and step decorators into ``ir.Decorator`` records.

What a decorator accepts is declared once, in the decorator catalogue
(``runtime_shim.catalogue``): its placement, its arguments with their kinds, defaults,
ranges, units and aliases, and the rules that span several arguments. This module reads
the literal arguments from source, lets the catalogue resolve them, and turns every
problem into a diagnostic at the keyword (or, for a whole-decorator problem, the
decorator) that caused it. What a target can express is each backend's business.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flowc import codes
from flowc.analyzer._config_reader import ConfigReader, ConfigUnresolved
from flowc.analyzer._literals import NotLiteral, source_of
from flowc.analyzer._names import ApiNames
from flowc.analyzer._spans import location_of as location_of
from flowc.analyzer._spans import span_of as span_of
from flowc.analyzer._user_decorators import user_decorator_diagnostic
from flowc.diagnostics import Diagnostic, Fix, FixKind, Span, diag, did_you_mean
from flowc.ir import Decorator
from runtime_shim.catalogue import FUNCTION_NAMES, DecoratorDef, Problem, decorator

if TYPE_CHECKING:
    from flowc.analyzer._config_scope import ConfigScope


def read_decorators(
    nodes: list[ast.expr],
    placement: str,
    names: ApiNames,
    file: str,
    source: str,
    out: list[Diagnostic],
    scope: ConfigScope | None = None,
) -> list[Decorator]:
    """Decorators other than ``@step`` (the caller handles that one); arguments that read
    configs are evaluated over ``scope``."""
    # An extension's decorators are read from its package (imports this module).
    from flowc.analyzer._imports import extension_decorator

    found: list[Decorator] = []
    seen: set[str] = set()
    for node in nodes:
        name = names.canonical(node)
        if name == "step":
            continue
        span = span_of(file, node)
        spec = decorator(name) if name is not None else None
        user_kind = _user_decorator_kind(node, names)
        if spec is None and user_kind is not None:
            written = source_of(source, node)
            out.append(user_decorator_diagnostic(node, user_kind, written, span, source))
            continue
        extension = extension_decorator(names, node, placement, file) if spec is None else None
        if extension is not None:
            out.append(extension)
            continue
        if spec is None:
            out.append(
                diag(
                    codes.FC203,
                    f"decorator `{source_of(source, node)}` is not part of the "
                    "flow API and is ignored",
                    span,
                    "flowc records only the Metaflow/flowc decorators",
                )
            )
            continue
        if spec.placement != placement:
            where = "a flow class" if spec.placement == "flow" else "a step method"
            out.append(
                diag(
                    codes.FC210,
                    f"@{spec.name} belongs on {where}, not on a {placement}",
                    span,
                    f"move @{spec.name} to {where}",
                )
            )
            continue
        if spec.name in seen and not spec.allow_multiple:
            out.append(
                diag(
                    codes.FC207,
                    f"@{spec.name} is applied more than once",
                    span,
                    f"remove the extra @{spec.name}",
                )
            )
            continue
        seen.add(spec.name)
        found.append(_read_one(spec, node, file, source, out, scope, names))
    return found


def _user_decorator_kind(node: ast.expr, names: ApiNames) -> str | None:
    target = node.func if isinstance(node, ast.Call) else node
    return names.user_decorators.get(target.id) if isinstance(target, ast.Name) else None


@dataclass
class _Written:
    """What the flow wrote in one decorator call, keyed by canonical argument name."""

    literals: dict[str, Any] = field(default_factory=dict)
    source_args: dict[str, str] = field(default_factory=dict)
    keywords: dict[str, ast.keyword] = field(default_factory=dict)
    unreadable: bool = False  # positional, ``**``, unknown or non-literal arguments

    @property
    def given(self) -> list[str]:
        return sorted(self.keywords)


def _read_one(
    spec: DecoratorDef,
    node: ast.expr,
    file: str,
    source: str,
    out: list[Diagnostic],
    scope: ConfigScope | None,
    names: ApiNames,
) -> Decorator:
    written = _read_arguments(spec, node, file, source, out, scope, names)
    resolution = spec.resolve(written.literals)
    for problem in resolution.problems:
        if problem.argument is None and problem.kind != "conflict" and written.unreadable:
            continue  # a whole-decorator rule cannot be judged without every value
        arg = spec.arg(problem.argument) if problem.argument is not None else None
        keyword = written.keywords.get(arg.name) if arg is not None else None
        out.append(_problem_diagnostic(spec, problem, span_of(file, keyword or node)))
    return Decorator(
        spec.name,
        resolution.values,
        written.source_args,
        location_of(file, node),
        written.given,
    )


def _read_arguments(
    spec: DecoratorDef,
    node: ast.expr,
    file: str,
    source: str,
    out: list[Diagnostic],
    scope: ConfigScope | None,
    names: ApiNames,
) -> _Written:
    written = _Written()
    if not isinstance(node, ast.Call):
        return written
    name = spec.name
    configs = ConfigReader(scope, file, source, out)
    for positional in node.args:
        written.unreadable = True
        out.append(
            diag(
                codes.FC208_POSITIONAL,
                f"@{name} takes keyword arguments only",
                span_of(file, positional),
                f"write @{name}(<name>=...) as in the flow API documentation",
            )
        )
    for kw in configs.expand_unpacking(node.keywords):
        if kw.arg is None:
            written.unreadable = True
            out.append(
                diag(
                    codes.FC201,
                    f"@{name}(**...) cannot be read statically",
                    span_of(file, kw.value),
                    "write the arguments out as keywords so every target can use them",
                )
            )
            written.source_args["**"] = source_of(source, kw.value)
            continue
        arg = spec.arg(kw.arg)
        if arg is None:
            written.unreadable = True
            keywords = [k.arg for k in node.keywords if k.arg is not None]
            out.append(unknown_argument(spec, kw.arg, span_of(file, kw), keywords))
            continue
        if arg.name in written.keywords:
            out.append(
                diag(
                    codes.FC208_REPEATED,
                    f"@{name} receives `{arg.name}` twice (as "
                    f"`{written.keywords[arg.name].arg}` and `{kw.arg}`)",
                    span_of(file, kw),
                    f"keep one of them; `{kw.arg}` is another name for `{arg.name}`",
                )
            )
            continue
        written.keywords[arg.name] = kw
        if arg.kind is FUNCTION_NAMES and _names_functions(kw.value):
            written.literals[kw.arg] = _function_names(spec, kw, names, file, out)
            continue
        try:
            written.literals[kw.arg] = configs.value(kw.value)
        except ConfigUnresolved:
            written.unreadable = True
            written.source_args[arg.name] = source_of(source, kw.value)
        except NotLiteral:
            text = source_of(source, kw.value)
            written.unreadable = True
            written.source_args[arg.name] = text
            out.append(
                diag(
                    codes.FC201,
                    f"@{name}({kw.arg}=...) is not a literal; kept as source text `{text}`",
                    span_of(file, kw.value),
                    "use a literal value so every target can use it",
                )
            )
    return written


def _names_functions(node: ast.expr) -> bool:
    """Whether a value is written as function names (``notify``, ``[notify, "alarm"]``)
    rather than as literal strings only."""
    items = node.elts if isinstance(node, ast.List | ast.Tuple) else [node]
    return any(isinstance(item, ast.Name) for item in items)


def _function_names(
    spec: DecoratorDef, kw: ast.keyword, names: ApiNames, file: str, out: list[Diagnostic]
) -> list[str]:
    """The function names a list of names and strings refers to (a string stays as it is,
    for the catalogue to check); FC208 at each name that is not a module-level function."""
    items = kw.value.elts if isinstance(kw.value, ast.List | ast.Tuple) else [kw.value]
    found: list[str] = []
    for item in items:
        if isinstance(item, ast.Constant) and isinstance(item.value, str):
            found.append(item.value)
        elif isinstance(item, ast.Name) and names.functions.get(item.id, item.lineno) < item.lineno:
            found.append(item.id)
        else:
            what = f"`{item.id}`" if isinstance(item, ast.Name) else "this value"
            later = isinstance(item, ast.Name) and item.id in names.functions
            out.append(
                diag(
                    codes.FC208_KIND,
                    f"@{spec.name}({kw.arg}=...): {what} is not a module-level function "
                    "of the flow file (a `def` at the top of the file or an imported name)"
                    + (" defined above the decorator" if later else ""),
                    span_of(file, item),
                    "name a function defined or imported at module level, or write its "
                    'import path as a string ("package.module.function")',
                )
            )
    return found


def unknown_argument(
    spec: DecoratorDef, key: str, span: Span, written: Collection[str] = ()
) -> Diagnostic:
    """FC206: ``key`` is not an argument of ``spec`` (nor an alias of one).

    The one fix hook for FC206: rename the keyword to the unique close argument, unless
    the call already writes that argument (the rename would repeat a keyword).
    """
    candidates = sorted({*spec.argument_names, *(a for arg in spec.args for a in arg.aliases)})
    guess = did_you_mean(key, candidates)
    fix = None
    if guess is not None and guess.unique is not None and guess.unique not in written:
        fix = Fix(FixKind.RENAME_KEYWORD, span, key, guess.unique)
    return diag(
        codes.FC206,
        f"@{spec.name} has no argument `{key}`",
        span,
        guess.hint if guess else f"valid arguments: {', '.join(spec.argument_names) or 'none'}",
        fix,
    )


def _problem_diagnostic(spec: DecoratorDef, problem: Problem, span: Span) -> Diagnostic:
    if problem.kind == "unknown-argument" and problem.argument is not None:
        return unknown_argument(spec, problem.argument, span)
    message = problem.message
    arg = spec.arg(problem.argument) if problem.argument is not None else None
    if arg is not None and message.startswith(f"{arg.name}: "):
        message = f"@{spec.name}({arg.name}=...): {message[len(arg.name) + 2 :]}"
    elif not message.startswith("@"):
        message = f"@{spec.name}: {message}"
    code = codes.FC208_CONFLICT if problem.kind == "conflict" else _RULE_CODES[problem.rule]
    return diag(code, message, span, problem.hint or f"see the @{spec.name} documentation")


# The sub-code of FC208 for each rule of the catalogue that can refuse a value.
_RULE_CODES = {
    "kind": codes.FC208_KIND,
    "range": codes.FC208_RANGE,
    "choice": codes.FC208_CHOICE,
    "check": codes.FC208_RULE,
}
