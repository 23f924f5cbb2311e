"""A tiny Python expression model that renders in ruff format style.

Every value that came from a user (defaults, docstrings, env values, paths) enters the
generated file only through :func:`literal`, which turns plain data into string, number,
list and dict literals. Nothing here concatenates user text into code, so no user string
can become code. The layout rule is the one ruff format applies when a magic trailing
comma is present: an expression stays on one line when it fits, otherwise its brackets
are exploded one element per line with a trailing comma (which ruff then preserves).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any

LINE_LENGTH = 88
INDENT = "    "


@dataclass(frozen=True)
class Code:
    """Trusted code written by flowc itself: names, keywords, constant expressions."""

    text: str


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()


@dataclass(frozen=True)
class ListOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class DictOf:
    items: tuple[tuple[Expr, Expr], ...]


Expr = Code | Str | Call | ListOf | DictOf


def call(func: str, *args: Expr, **kwargs: Expr) -> Call:
    return Call(func, tuple(args), tuple(kwargs.items()))


def literal(value: Any) -> Expr:
    """The literal for a JSON-like value (str, int, float, bool, None, list, tuple, dict)."""
    if isinstance(value, str):
        return Str(value)
    if value is None or isinstance(value, bool):
        return Code(repr(value))
    if isinstance(value, int):
        return Code(str(value))
    if isinstance(value, float):
        if math.isfinite(value):
            return Code(repr(value))
        return call("float", Str(repr(value)))
    if isinstance(value, list | tuple):
        return ListOf(tuple(literal(v) for v in value))
    if isinstance(value, dict):
        return DictOf(tuple((literal(k), literal(v)) for k, v in value.items()))
    raise TypeError(f"not a literal value: {type(value).__name__}")


def string_literal(value: str) -> str:
    """A string literal with ruff's preferred quotes (double unless that needs more escapes).

    Escapes follow ``repr``: backslash, the quote, and non-printable characters; printable
    non-ASCII characters stay as they are.
    """
    if '"' not in value and "\\" not in value and value.isprintable():
        return f'"{value}"'  # nothing to escape: most names, flags and paths
    quote = "'" if value.count('"') > value.count("'") else '"'
    out = [quote]
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == quote:
            out.append("\\" + quote)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch.isprintable():
            out.append(ch)
        else:
            # repr's escape of the single character, without its quotes.
            out.append(repr(ch)[1:-1])
    out.append(quote)
    return "".join(out)


def width(text: str) -> int:
    """Columns ``text`` takes, measured as ruff does (East Asian wide characters count 2,
    combining marks 0), so the one-line-or-explode decision matches ``ruff format``."""
    if text.isascii():
        return len(text)
    total = 0
    for ch in text:
        if ch.isascii():
            total += 1
        elif unicodedata.category(ch) in ("Mn", "Me") or "\u1160" <= ch <= "\u11ff":
            continue
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            total += 2
        else:
            total += 1
    return total


def flat(expr: Expr, known: dict[int, str] | None = None) -> str:
    """The expression on one line. ``known`` remembers each sub-expression's text by
    identity, so :func:`render`, which asks again for every element it explodes, writes a
    large literal (a thousand steps' commands) once instead of once per nesting level."""
    if isinstance(expr, Code):
        return expr.text
    if isinstance(expr, Str):
        return string_literal(expr.value)
    if known is not None and id(expr) in known:
        return known[id(expr)]
    if isinstance(expr, Call):
        parts = [flat(a, known) for a in expr.args]
        parts += [f"{k}={flat(v, known)}" for k, v in expr.kwargs]
        text = f"{expr.func}({', '.join(parts)})"
    elif isinstance(expr, ListOf):
        text = "[" + ", ".join(flat(i, known) for i in expr.items) + "]"
    else:
        text = "{" + ", ".join(f"{flat(k, known)}: {flat(v, known)}" for k, v in expr.items) + "}"
    if known is not None:
        known[id(expr)] = text
    return text


def render(expr: Expr, indent: int = 0, lead: str = "", trail: str = "") -> str:
    """``lead + expr + trail`` at ``indent`` levels, exploded where it does not fit."""
    return _render(expr, indent, lead, trail, {})


def _render(expr: Expr, indent: int, lead: str, trail: str, known: dict[int, str]) -> str:
    pad = INDENT * indent
    one_line = f"{pad}{lead}{flat(expr, known)}{trail}"
    if width(one_line) <= LINE_LENGTH:
        return one_line
    if isinstance(expr, Call) and (expr.args or expr.kwargs):
        opener, closer = f"{expr.func}(", ")"
        elements = [_render(a, indent + 1, "", ",", known) for a in expr.args]
        elements += [_render(v, indent + 1, f"{k}=", ",", known) for k, v in expr.kwargs]
    elif isinstance(expr, ListOf) and expr.items:
        opener, closer = "[", "]"
        elements = [_render(i, indent + 1, "", ",", known) for i in expr.items]
    elif isinstance(expr, DictOf) and expr.items:
        opener, closer = "{", "}"
        elements = [
            _render(v, indent + 1, f"{flat(k, known)}: ", ",", known) for k, v in expr.items
        ]
    else:
        return one_line
    return "\n".join([f"{pad}{lead}{opener}", *elements, f"{pad}{closer}{trail}"])


def assign(name: str, expr: Expr, indent: int = 0) -> str:
    """``name = expr``; a long atom is parenthesised on its own line, as ruff does."""
    text = render(expr, indent, f"{name} = ")
    pad = INDENT * indent
    if (
        width(text) > LINE_LENGTH
        and "\n" not in text
        and isinstance(expr, Code | Str)
        and len(pad) + len(INDENT) + width(flat(expr)) <= LINE_LENGTH
    ):
        return f"{pad}{name} = (\n{pad}{INDENT}{flat(expr)}\n{pad})"
    return text
