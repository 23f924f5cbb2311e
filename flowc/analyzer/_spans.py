"""Where an AST node was written, as a diagnostic span or an IR location."""

from __future__ import annotations

import ast

from flowc.diagnostics import Span
from flowc.ir import Location


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
