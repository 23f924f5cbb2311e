"""Turning argument expressions into JSON values without evaluating code."""

from __future__ import annotations

import ast
import math
from typing import Any


class NotLiteral(Exception):
    """The expression is not a JSON-representable literal."""


def literal_value(node: ast.expr) -> Any:
    """The JSON value of a literal expression; raises :class:`NotLiteral` otherwise.

    Tuples become lists; dict keys must be strings; NaN and infinities are rejected
    (they are not JSON).
    """
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, (str, bool, int)):
            return value
        if isinstance(value, float):
            if math.isfinite(value):
                return value
            raise NotLiteral
        raise NotLiteral
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = literal_value(node.operand)
        if isinstance(inner, bool) or not isinstance(inner, (int, float)):
            raise NotLiteral
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, (ast.List, ast.Tuple)):
        return [literal_value(e) for e in node.elts]
    if isinstance(node, ast.Dict):
        out: dict[str, Any] = {}
        for key, item in zip(node.keys, node.values, strict=True):
            if key is None:
                raise NotLiteral
            k = literal_value(key)
            if not isinstance(k, str):
                raise NotLiteral
            out[k] = literal_value(item)
        return out
    raise NotLiteral


def source_of(source: str, node: ast.AST) -> str:
    segment = ast.get_source_segment(source, node)
    return segment if segment is not None else ast.unparse(node)
