"""Manifests as block-style YAML, without importing PyYAML.

``import yaml`` costs more than the whole Argo backend's work on a typical flow (its reader
compiles a large Unicode regex at import), and a ``flowc compile`` process is mostly
start-up. Manifests only hold mappings with string keys, lists, strings, integers, booleans
and null, so a small writer suffices. Its scalar rule is deliberately conservative, because
the reader on the cluster side is YAML 1.1 (Kubernetes' and Argo's Go YAML), where ``on``,
``yes``, ``0777`` or ``1:20`` are not strings:

- plain only for text that starts with a letter, ``_``, ``/``, or ``-``/``--`` before a
  letter (command-line options), holds only letters, digits, spaces and ``_./()=+@,;&|'"-``
  (``:`` only when a non-space follows), does not end in a space and is not a YAML 1.1
  boolean or null word;
- single-quoted for other printable text on one line;
- double-quoted with escapes for everything else (line breaks, control and format
  characters, Unicode line separators), so every string reads back byte for byte.

``tests/argo/test_argo_yaml.py`` checks, with hypothesis and a list of hostile strings,
that any document reads back equal through PyYAML (a YAML 1.1 reader).
"""

from __future__ import annotations

import math
import re
from typing import Any

_PLAIN = re.compile(
    r"(?:[A-Za-z_/]|-(?=[A-Za-z]|-[A-Za-z]))"  # start: never an indicator, digit or "- "
    r"""(?:[A-Za-z0-9_./()=+@,;&|'" -]|:(?=[^ ]))*"""
)
# YAML 1.1 booleans and null, in every capitalisation a reader might accept.
_KEYWORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})
_ESCAPES = {"\n": "\\n", "\t": "\\t", '"': '\\"', "\\": "\\\\", "\r": "\\r", "\0": "\\0"}


def dump(document: Any) -> str:
    """``document`` as YAML text ending in a newline."""
    lines: list[str] = []
    if isinstance(document, dict) and document:
        _mapping(document, 0, lines)
    elif isinstance(document, list) and document:
        _sequence(document, 0, lines)
    else:
        lines.append(_leaf(document))
    return "\n".join(lines) + "\n"


def _mapping(mapping: dict[str, Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for key, value in mapping.items():
        head = f"{pad}{scalar(str(key))}:"
        if isinstance(value, dict) and value:
            lines.append(head)
            _mapping(value, indent + 2, lines)
        elif isinstance(value, list) and value:
            lines.append(head)
            _sequence(value, indent, lines)  # block sequences sit at their key's indent
        else:
            lines.append(f"{head} {_leaf(value)}")


def _sequence(items: list[Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict | list) and item:
            nested: list[str] = []
            if isinstance(item, dict):
                _mapping(item, indent + 2, nested)
            else:
                _sequence(item, indent + 2, nested)
            nested[0] = f"{pad}- {nested[0][indent + 2 :]}"
            lines.extend(nested)
        else:
            lines.append(f"{pad}- {_leaf(item)}")


def _leaf(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, str):
        return scalar(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def scalar(text: str) -> str:
    """The safest readable YAML form of a string (see the module docstring)."""
    if _PLAIN.fullmatch(text) and not text.endswith(" ") and text.lower() not in _KEYWORDS:
        return text
    if all(_printable(c) for c in text):
        return "'" + text.replace("'", "''") + "'"
    return '"' + "".join(_escape(c) for c in text) + '"'


def _printable(char: str) -> bool:
    """Printable in YAML and never a line break or a byte-order mark to any reader."""
    code = ord(char)
    if 0x20 <= code <= 0x7E:
        return True
    if code < 0xA0:
        return False  # C0/C1 controls, DEL, and NEL (a line break in YAML 1.1)
    if code in (0x2028, 0x2029, 0xFEFF) or 0xD800 <= code <= 0xDFFF:
        return False
    return code not in (0xFFFE, 0xFFFF) and char.isprintable()


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if _printable(char):
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
