"""One config's value, from its text, its file or its ``default_value=``.

:class:`ValueReader` parses the text as JSON, or with ``parser=`` when that names an
importable library function (imported in the compiler's own environment, never the
flow); a parser or default that is a function of the flow file makes the config
*pending* (FC135): the run's start task evaluates it. Problems are reported at the node
that caused them.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowc import codes
from flowc.analyzer._classes import ClassRef
from flowc.analyzer._literals import NotLiteral, literal_value, source_of
from flowc.analyzer._spans import span_of
from flowc.diagnostics import Diagnostic, diag
from flowc.sources import find_beside_flow


@dataclass
class Outcome:
    """A config's value; ``pending`` when the start task must compute it with a function
    of the flow file (what that needs), ``failed`` when a diagnostic was reported."""

    value: Any
    pending: dict[str, Any] | None = None
    failed: bool = False


FAILED = Outcome(None, None, True)


def literal_or_marker(node: ast.expr | None) -> Any:
    """The literal ``node`` stands for; None for no node, ``NotLiteral`` for anything else."""
    if node is None:
        return None
    try:
        return literal_value(node)
    except NotLiteral:
        return NotLiteral


@dataclass
class ValueReader:
    """Turns one config's text or default into a value, reporting at the right node."""

    name: str
    ref: ClassRef
    args: dict[str, ast.expr]
    plain: bool
    out: list[Diagnostic]

    @property
    def file(self) -> str:
        return self.ref.module.path

    def read_file(self, path: str, node: ast.AST, what: str) -> Outcome:
        found = find_beside_flow(path, self.file)
        if found is None:
            self.out.append(
                diag(
                    codes.FC131,
                    f"config `{self.name}`: {what} {path!r} cannot be read",
                    span_of(self.file, node),
                    "paths are relative to the working directory (or the flow file's folder)",
                )
            )
            return FAILED
        try:
            with open(found, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            self.out.append(
                diag(
                    codes.FC131,
                    f"config `{self.name}`: cannot read {path!r}: {exc}",
                    span_of(self.file, node),
                    "check the file is readable UTF-8 text",
                )
            )
            return FAILED
        return self.parse(text, node)

    def parse(self, text: str, node: ast.AST) -> Outcome:
        parser = self.args.get("parser")
        if parser is None:
            if self.plain:
                return Outcome(text)
            try:
                return Outcome(json.loads(text))
            except ValueError as exc:
                return self._invalid(f"is not valid JSON: {exc}", node)
        dotted = self._parser_name(parser)
        if dotted is None:
            self._pending_note(parser, "parser=")
            return Outcome(None, {"text": text})
        function = _import(dotted)
        if function is None:
            self.out.append(
                diag(
                    codes.FC132,
                    f"config `{self.name}`: parser {dotted!r} cannot be imported by the compiler",
                    span_of(self.file, parser),
                    "install the parser's package where flowc runs, or name an importable function",
                )
            )
            return FAILED
        try:
            value = function(text)
        except Exception as exc:
            return self._invalid(f"parser {dotted!r} failed: {exc}", node)
        if not self.plain and not isinstance(value, Mapping):
            return self._invalid(
                f"parser {dotted!r} returned a {type(value).__name__}, not a mapping", node
            )
        return self._jsonable(value, node)

    def default_value(self, node: ast.expr) -> Outcome:
        value = literal_or_marker(node)
        if value is NotLiteral and isinstance(node, ast.Name):
            bound = _module_binding(self.ref, node.id)
            if isinstance(bound, (ast.FunctionDef, ast.Lambda)):
                self._pending_note(node, "default_value=")
                return Outcome(None, {"default_value": True})
            if isinstance(bound, ast.expr):
                value = literal_or_marker(bound)
        elif isinstance(node, ast.Lambda):
            self._pending_note(node, "default_value=")
            return Outcome(None, {"default_value": True})
        if value is NotLiteral:
            self.out.append(
                diag(
                    codes.FC130,
                    f"config `{self.name}`: default_value= "
                    f"`{source_of(self.ref.module.source, node)}` "
                    "is neither a literal nor a function of the flow file",
                    span_of(self.file, node),
                    "write the value as a literal (or a module-level name bound to one)",
                )
            )
            return FAILED
        if isinstance(value, str):
            return self.parse(value, node)
        return Outcome(value)

    def _parser_name(self, node: ast.expr) -> str | None:
        """The dotted name of a library parser, or None for a function of the flow file."""
        text = literal_or_marker(node)
        if isinstance(text, str):
            return "metaflow" + text if text.startswith(".") else text
        dotted = _dotted_import(self.ref, node)
        return dotted

    def _pending_note(self, node: ast.expr, what: str) -> None:
        self.out.append(
            diag(
                codes.FC135,
                f"config `{self.name}`: {what}`{source_of(self.ref.module.source, node)}` is a "
                "function of the flow file; the run's start task evaluates it, so the config "
                "cannot be read in decorator arguments or parameter defaults",
                span_of(self.file, node),
                'use JSON or a library parser name (parser="yaml.safe_load") to resolve '
                "it at compile time",
            )
        )

    def _invalid(self, why: str, node: ast.AST) -> Outcome:
        self.out.append(
            diag(
                codes.FC132,
                f"config `{self.name}` {why}",
                span_of(self.file, node),
                "fix the config's text, or give it a parser= that reads it",
            )
        )
        return FAILED

    def _jsonable(self, value: Any, node: ast.AST) -> Outcome:
        try:
            return Outcome(json.loads(json.dumps(value)))
        except (TypeError, ValueError) as exc:
            return self._invalid(f"has a value that is not JSON data: {exc}", node)


def _import(dotted: str) -> Any:
    import importlib

    module, _, function = dotted.rpartition(".")
    if not module:
        return None
    try:
        found = getattr(importlib.import_module(module), function, None)
    except Exception:  # an unimportable parser is reported, whatever the import raised
        return None
    return found if callable(found) else None


def _module_binding(ref: ClassRef, name: str) -> ast.expr | ast.FunctionDef | None:
    """What a module-level ``name`` is bound to: a def, or the value of its last assignment."""
    found: ast.expr | ast.FunctionDef | None = None
    for node in ref.module.tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            found = node
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
        ):
            found = node.value
    return found


def _dotted_import(ref: ClassRef, node: ast.expr) -> str | None:
    """``yaml.safe_load`` for ``safe_load`` (``from yaml import safe_load``) or ``yaml.safe_load``
    (``import yaml``); None for anything defined in the flow file."""
    if isinstance(node, ast.Name):
        spec = ref.module.names.foreign.get(node.id)
        if spec is not None and spec[2] == 0 and spec[0]:
            return f"{spec[0]}.{spec[1]}"
        return None
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and parts:
        imported = _imported_modules(ref).get(node.id)
        if imported is not None:
            return ".".join([imported, *reversed(parts)])
    return None


def _imported_modules(ref: ClassRef) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in ref.module.tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found[alias.asname or alias.name.split(".")[0]] = (
                    alias.asname and alias.name
                ) or alias.name.split(".")[0]
    return found
