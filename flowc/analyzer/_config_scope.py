"""Evaluating class-level config expressions over the resolved configs.

``cfg.a.b``, ``cfg["a"]``, ``config_expr("str(cfg.a)")`` and ``**cfg`` at class level are
read by :class:`ConfigScope`: attribute and item access, literals, a few pure builtins and
string methods, arithmetic and f-strings, never the flow's own code. A config the compiler
could not resolve (pending) raises :class:`Pending`; anything else it cannot evaluate
raises :class:`ConfigProblem` at the node.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowc.analyzer._config_reader import ConfigProblem, Pending
from flowc.analyzer._literals import NotLiteral, literal_value
from flowc.ir import Config

_BUILTINS: dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "len": len,
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
    "sorted": sorted,
    "list": list,
    "dict": dict,
}
_STRING_METHODS = frozenset(
    {"lower", "upper", "strip", "lstrip", "rstrip", "title", "capitalize", "replace", "split"}
)
_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
}


@dataclass
class ConfigScope:
    """The resolved configs of one flow, for evaluating class-level config expressions."""

    configs: list[Config]
    pending: set[str]
    config_expr_names: set[str]

    def __post_init__(self) -> None:
        self._by_attribute = {c.attribute: c for c in self.configs}
        self._by_name = {c.name: c for c in self.configs}

    def mentions(self, node: ast.AST) -> bool:
        """Whether ``node`` reads a config (by attribute name or through ``config_expr``)."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in self._by_attribute:
                return True
            if self._is_config_expr(sub):
                return True
        return False

    def _is_config_expr(self, node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in self.config_expr_names
        )

    def evaluate(self, node: ast.expr) -> Any:
        """The JSON value of ``node``; raises :class:`ConfigProblem` or :class:`Pending`."""
        return self._eval(node, self._by_attribute)

    def _value_of(self, config: Config) -> Any:
        if config.name in self.pending:
            raise Pending(config.name)
        return config.value

    def _eval(self, node: ast.expr, names: Mapping[str, Config]) -> Any:
        try:
            return literal_value(node)
        except NotLiteral:
            pass
        if isinstance(node, ast.Name):
            if node.id in names:
                return self._value_of(names[node.id])
            if node.id in _BUILTINS:
                return _BUILTINS[node.id]
            raise ConfigProblem(f"`{node.id}` is not a config of this flow", node)
        if self._is_config_expr(node):
            assert isinstance(node, ast.Call)
            return self._config_expr(node)
        if isinstance(node, ast.Attribute):
            base = self._eval(node.value, names)
            return _lookup(base, node.attr, node, attribute=True)
        if isinstance(node, ast.Subscript):
            base = self._eval(node.value, names)
            return _lookup(base, self._eval(node.slice, names), node, attribute=False)
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self._eval(e, names) for e in node.elts]
        if isinstance(node, ast.Dict):
            out: dict[Any, Any] = {}
            for key, item in zip(node.keys, node.values, strict=True):
                value = self._eval(item, names)
                if key is None:
                    if not isinstance(value, Mapping):
                        raise ConfigProblem("** of a value that is not a mapping", item)
                    out.update(value)
                else:
                    out[self._eval(key, names)] = value
            return out
        inside_expr = names is self._by_name
        if isinstance(node, (ast.BinOp, ast.JoinedStr, ast.Call)) and not inside_expr:
            # At class level Python itself would compute this while importing the flow,
            # on a config that has no value yet: only config_expr("...") defers it.
            raise ConfigProblem(
                f"`{ast.unparse(node)}` computes with a config at class level; "
                f'write it as config_expr("{ast.unparse(node)}")',
                node,
            )
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self._eval(node.left, names), self._eval(node.right, names)
            return self._apply(_BINARY[type(node.op)], (left, right), node)
        if isinstance(node, ast.JoinedStr):
            parts = []
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    spec = self._eval(part.format_spec, names) if part.format_spec else ""
                    parts.append(format(self._eval(part.value, names), spec))
                else:
                    parts.append(str(self._eval(part, names)))
            return "".join(parts)
        if isinstance(node, ast.Call) and not node.keywords:
            return self._call(node, names)
        raise ConfigProblem(
            f"`{ast.unparse(node)}` cannot be evaluated at compile time "
            "(only config reads, literals, arithmetic and simple builtins can)",
            node,
        )

    def _call(self, node: ast.Call, names: Mapping[str, Config]) -> Any:
        args = [self._eval(a, names) for a in node.args]
        if isinstance(node.func, ast.Attribute):
            target = self._eval(node.func.value, names)
            if isinstance(target, str) and node.func.attr in _STRING_METHODS:
                return self._apply(getattr(target, node.func.attr), args, node)
            raise ConfigProblem(f"`{ast.unparse(node.func)}` cannot be called here", node)
        function = self._eval(node.func, names)
        if function not in _BUILTINS.values():
            raise ConfigProblem(f"`{ast.unparse(node.func)}` cannot be called here", node)
        return self._apply(function, args, node)

    @staticmethod
    def _apply(function: Any, args: Any, node: ast.AST) -> Any:
        try:
            return function(*args)
        except (TypeError, ValueError, ZeroDivisionError, AttributeError) as exc:
            raise ConfigProblem(f"`{ast.unparse(node)}` fails: {exc}", node) from None

    def _config_expr(self, node: ast.Call) -> Any:
        if len(node.args) != 1 or node.keywords:
            raise ConfigProblem("config_expr() takes one string", node)
        try:
            text = literal_value(node.args[0])
        except NotLiteral:
            text = None
        if not isinstance(text, str):
            raise ConfigProblem("config_expr() needs a literal string", node)
        try:
            parsed = ast.parse(text.strip(), mode="eval").body
        except SyntaxError as exc:
            raise ConfigProblem(
                f"config_expr({text!r}) is not an expression: {exc.msg}", node
            ) from None
        try:
            return self._eval(parsed, self._by_name)
        except ConfigProblem as exc:
            raise ConfigProblem(f"config_expr({text!r}): {exc}", node) from None


def _lookup(base: Any, key: Any, node: ast.AST, attribute: bool) -> Any:
    if base is None:
        where = ast.unparse(node.value) if isinstance(node, (ast.Attribute, ast.Subscript)) else ""
        raise ConfigProblem(f"`{where}` has no value (the config is not set)", node)
    if isinstance(base, Mapping):
        if key in base:
            return base[key]
        where = ast.unparse(node.value) if isinstance(node, (ast.Attribute, ast.Subscript)) else ""
        raise ConfigProblem(f"`{where}` has no key {key!r}", node)
    if isinstance(base, list) and not attribute and isinstance(key, int):
        if -len(base) <= key < len(base):
            return base[key]
        raise ConfigProblem(f"index {key} is out of range", node)
    raise ConfigProblem(
        f"`{ast.unparse(node)}`: a {type(base).__name__} has no "
        f"{'attribute' if attribute else 'item'} {key!r}",
        node,
    )
