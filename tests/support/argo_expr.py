"""A small evaluator for the expression languages an Argo manifest uses.

* ``{{=...}}`` tags and ``valueFrom.expression`` use expr-lang: strings, numbers,
  ``== != < > <= >= + - && || ! ?:``, member access ``a.b`` / ``a['b']``, calls to
  ``asInt``, ``asFloat``, ``string``. A missing map key is ``nil``; reading a member of
  ``nil`` is an error, as in expr.
* ``when`` uses govaluate after substitution, where Argo turns bare words into strings
  (``bare_words=True``).

Anything outside the subset raises :class:`ExprError`, so a manifest using something the
harness cannot check fails loudly instead of passing by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class ExprError(Exception):
    pass


_TOKEN = re.compile(
    r"""
    \s*(?:
      (?P<num>\d+(?:\.\d+)?)
    | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/%<>!?:().\[\],])
    | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*)
    )""",
    re.VERBOSE,
)


@dataclass
class _Tok:
    kind: str
    text: str


def _tokens(text: str, bare_words: bool) -> list[_Tok]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExprError(f"cannot parse expression at {text[pos:]!r}")
        pos = m.end()
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "name" and not bare_words and "-" in value:
            raise ExprError(f"'-' in identifier {value!r}; use ['...'] access")
        out.append(_Tok(kind, value))
    return out


_FUNCS = {
    "asInt": lambda v: int(str(v)),
    "asFloat": lambda v: float(str(v)),
    "string": lambda v: str(v),
}


Node = tuple[Any, ...]


class _Parser:
    """Builds a small tree; evaluation is separate so ``?:`` only evaluates one branch."""

    _LEVELS = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%")]

    def __init__(self, tokens: list[_Tok], bare_words: bool) -> None:
        self.toks, self.i, self.bare = tokens, 0, bare_words

    def peek(self) -> str | None:
        return self.toks[self.i].text if self.i < len(self.toks) else None

    def take(self, text: str | None = None) -> _Tok:
        if self.i >= len(self.toks):
            raise ExprError("unexpected end of expression")
        tok = self.toks[self.i]
        if text is not None and tok.text != text:
            raise ExprError(f"expected {text!r}, got {tok.text!r}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.ternary()
        if self.i != len(self.toks):
            raise ExprError(f"unexpected {self.toks[self.i].text!r}")
        return node

    def ternary(self) -> Node:
        cond = self.binary(0)
        if self.peek() == "?":
            self.take("?")
            a = self.ternary()
            self.take(":")
            b = self.ternary()
            return ("?", cond, a, b)
        return cond

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in self._LEVELS[level]:
            op = self.take().text
            left = ("op", op, left, self.binary(level + 1))
        return left

    def unary(self) -> Node:
        if self.peek() in ("!", "-"):
            return ("unary", self.take().text, self.unary())
        return self.postfix()

    def postfix(self) -> Node:
        tok = self.take()
        node: Node
        if tok.kind == "num":
            node = ("lit", float(tok.text) if "." in tok.text else int(tok.text))
        elif tok.kind == "str":
            node = ("lit", bytes(tok.text[1:-1], "utf-8").decode("unicode_escape"))
        elif tok.text == "(":
            node = self.ternary()
            self.take(")")
        elif tok.kind == "name" and tok.text in ("true", "false"):
            node = ("lit", tok.text == "true")
        elif tok.kind == "name" and self.peek() == "(":
            if tok.text not in _FUNCS:
                raise ExprError(f"unknown function {tok.text!r}")
            self.take("(")
            node = ("call", tok.text, self.ternary())
            self.take(")")
        elif tok.kind == "name":
            node = ("lit", tok.text) if self.bare else ("name", tok.text)
        else:
            raise ExprError(f"unexpected {tok.text!r}")
        while self.peek() in (".", "["):
            if self.take().text == ".":
                key: Node = ("lit", self.take().text)
            else:
                key = self.ternary()
                self.take("]")
            node = ("member", node, key)
        return node


def _eval(node: Node, env: dict[str, Any]) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "name":
        if node[1] not in env:
            raise ExprError(f"unknown name {node[1]!r}")
        return env[node[1]]
    if kind == "?":
        return _eval(node[2] if _truthy(_eval(node[1], env)) else node[3], env)
    if kind == "op":
        op, a = node[1], _eval(node[2], env)
        if op in ("&&", "||") and _truthy(a) == (op == "||"):
            return a  # short-circuit, as expr does
        return _apply(op, a, _eval(node[3], env))
    if kind == "unary":
        value = _eval(node[2], env)
        return (not _truthy(value)) if node[1] == "!" else -value
    if kind == "call":
        arg = _eval(node[2], env)
        try:
            return _FUNCS[node[1]](arg)
        except (TypeError, ValueError) as exc:
            raise ExprError(f"{node[1]}({arg!r}): {exc}") from exc
    if kind == "member":
        value, key = _eval(node[1], env), _eval(node[2], env)
        if not isinstance(value, dict):
            raise ExprError(f"cannot fetch {key!r} from {value!r}")
        return value.get(key)
    raise ExprError(f"bad node {kind}")


def _truthy(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ExprError(f"{value!r} is not a boolean")
    return value


def _apply(op: str, a: Any, b: Any) -> Any:
    if op == "||":
        return _truthy(a) or _truthy(b)
    if op == "&&":
        return _truthy(a) and _truthy(b)
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    try:
        return {
            "<": lambda: a < b,
            ">": lambda: a > b,
            "<=": lambda: a <= b,
            ">=": lambda: a >= b,
            "+": lambda: a + b,
            "-": lambda: a - b,
            "*": lambda: a * b,
            "/": lambda: a / b,
            "%": lambda: a % b,
        }[op]()
    except TypeError as exc:
        raise ExprError(f"{a!r} {op} {b!r}: {exc}") from exc


def evaluate(text: str, env: dict[str, Any]) -> Any:
    """Evaluate an expr-lang expression over ``env`` (nested dicts)."""
    return _eval(_Parser(_tokens(text, False), False).parse(), env)


def evaluate_when(text: str) -> bool:
    """Evaluate a substituted ``when`` the way Argo does (bare words are strings)."""
    result = _eval(_Parser(_tokens(text, True), True).parse(), {})
    if not isinstance(result, bool):
        raise ExprError(f"'when' {text!r} is not a boolean expression")
    return result
