"""Building ASL intrinsic-function expressions (``States.Format(...)``) safely.

Literal strings inside an intrinsic call are quoted with ``'``; the characters ``' { } \\``
would need escapes, which emulators handle inconsistently (moto's parser truncates the
argument list at an escaped quote). flowc therefore never escapes: a literal that holds
one of them is refused at compile time (:func:`unsafe_literal`), and user *values*
(parameter values, run ids) only ever enter an expression as JSONPath references, where
they are data, not syntax.
"""

from __future__ import annotations

import re

# The quote, the braces, the backslash and the control characters below U+0020.
_UNSAFE = re.compile(r"['{}\\\x00-\x1f]")


def unsafe_literal(text: str) -> bool:
    """True if ``text`` cannot be written as an intrinsic string literal without escapes."""
    return _UNSAFE.search(text) is not None


def lit(text: str) -> str:
    """An intrinsic string literal; the caller has checked :func:`unsafe_literal`."""
    if unsafe_literal(text):
        raise ValueError(f"unsafe intrinsic literal {text!r}")
    return f"'{text}'"


def call(name: str, *args: str) -> str:
    """``States.<name>(arg, ...)`` from already rendered arguments."""
    return f"States.{name}({', '.join(args)})"


def fmt(template: str, *args: str) -> str:
    """``States.Format('template', args...)``: ``{}`` in ``template`` are placeholders."""
    return call("Format", lit_template(template), *args)


def lit_template(template: str) -> str:
    """A Format template: ``{}`` placeholders allowed, other unsafe characters refused."""
    if unsafe_literal(template.replace("{}", "")):
        raise ValueError(f"unsafe format template {template!r}")
    return f"'{template}'"
