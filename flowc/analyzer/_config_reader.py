"""Reading an argument that may use configs: a literal, or a config expression evaluated.

Decorator arguments and parameter defaults are literals for the compiler; with configs a
class-level ``cfg.a``, ``config_expr("...")`` or ``**cfg`` is as good as one, once the
flow's configs are resolved. :class:`ConfigReader` gives the readers one way to ask.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from flowc import codes
from flowc.analyzer._literals import NotLiteral, literal_value, source_of
from flowc.analyzer._spans import span_of
from flowc.diagnostics import Diagnostic, diag

if TYPE_CHECKING:
    from flowc.analyzer._config_scope import ConfigScope


class Pending(Exception):
    """The expression needs a config only the start task can evaluate."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class ConfigProblem(Exception):
    """The expression cannot be evaluated; the message says why, ``node`` where."""

    def __init__(self, message: str, node: ast.AST) -> None:
        super().__init__(message)
        self.node = node


class ConfigUnresolved(Exception):
    """The argument reads configs but has no compile-time value (already reported)."""


class _Resolved(ast.expr):
    """A value that ``**cfg`` supplied for one keyword (positioned at the ``**``)."""

    _fields = ()

    def __init__(self, value: Any, at: ast.AST) -> None:
        super().__init__()
        self.resolved = value
        ast.copy_location(self, at)
        self.end_lineno = getattr(at, "end_lineno", None)
        self.end_col_offset = getattr(at, "end_col_offset", None)


class ConfigReader:
    def __init__(
        self, scope: ConfigScope | None, file: str, source: str, out: list[Diagnostic]
    ) -> None:
        self.scope = scope
        self.file = file
        self.source = source
        self.out = out

    def value(self, node: ast.expr) -> Any:
        """The JSON value of ``node``: raises ``NotLiteral`` when it is neither a literal
        nor a config expression, ``ConfigUnresolved`` (reported) when it is one that
        cannot be evaluated at compile time."""
        if isinstance(node, _Resolved):
            return node.resolved
        try:
            return literal_value(node)
        except NotLiteral:
            if self.scope is None or not self.scope.mentions(node):
                raise
        try:
            return self.scope.evaluate(node)
        except ConfigProblem as problem:
            self.out.append(
                diag(
                    codes.FC134,
                    str(problem),
                    span_of(self.file, problem.node),
                    "check the config's keys (flowc resolves configs when it compiles)",
                )
            )
        except Pending as pending:
            self.out.append(
                diag(
                    codes.FC135,
                    f"`{source_of(self.source, node)}` reads config `{pending.name}`, which the "
                    "start task evaluates; the compiler keeps the source text and targets see "
                    "the argument's default",
                    span_of(self.file, node),
                    f"give `{pending.name}` a value the compiler can resolve "
                    "(JSON, a library parser)",
                )
            )
        raise ConfigUnresolved

    def expand_unpacking(self, keywords: list[ast.keyword]) -> Iterator[ast.keyword]:
        """``keywords`` with each ``**cfg`` the compiler can evaluate replaced by one keyword
        per entry of the config (a ``**`` it cannot evaluate stays as it is)."""
        for kw in keywords:
            if kw.arg is not None or self.scope is None or not self.scope.mentions(kw.value):
                yield kw
                continue
            try:
                unpacked = self.value(kw.value)
            except ConfigUnresolved:
                yield kw
                continue
            if not isinstance(unpacked, Mapping):
                self.out.append(
                    diag(
                        codes.FC134,
                        f"`**{source_of(self.source, kw.value)}` is not a mapping",
                        span_of(self.file, kw.value),
                        "unpack a config whose value is a JSON object",
                    )
                )
                continue
            for key, item in unpacked.items():
                expanded = ast.keyword(arg=str(key), value=_Resolved(item, kw.value))
                yield ast.copy_location(expanded, kw)
