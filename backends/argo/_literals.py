"""Getting user strings through Argo and Kubernetes unchanged.

Two layers rewrite text on its way to a container:

* Argo substitutes ``{{...}}`` (and evaluates ``{{=...}}``) anywhere in a template, and it
  does so in several passes, so a value substituted in one pass is scanned again in the
  next. Argo has no escape for ``{{``.
* Kubernetes expands ``$(NAME)`` in a container's ``command``, ``args`` and ``env`` values
  when ``NAME`` is an earlier environment variable; ``$$`` stands for one ``$``.

Strings flowc writes into container fields (environment values, the flow path) go
through :func:`container_literal`: every ``$`` is doubled and, when the text contains
``{{``, every ``{`` becomes ``$(FLOWC_LBRACE)``, a variable each container defines first
as ``{``. Argo then never sees ``{{`` and Kubernetes restores the exact bytes.

Parameter values (defaults and values given at submit time) are JSON documents
(:func:`encode_parameter_value`) whose strings write ``{``, ``}`` and ``$`` as ``\\u`` escapes, so
the text Argo and Kubernetes see contains none of their syntax while ``json.loads`` in
the step returns the exact value.
"""

from __future__ import annotations

import json
from typing import Any

LBRACE_VAR = "FLOWC_LBRACE"

_JSON_ESCAPES = {"{": "\\u007b", "}": "\\u007d", "$": "\\u0024"}


def container_literal(text: str) -> str:
    """``text`` for a container's args/env so it reaches the process byte-for-byte."""
    out = text.replace("$", "$$")
    if "{{" in out:
        out = out.replace("{", f"$({LBRACE_VAR})")
    return out


def encode_parameter_value(value: Any) -> str:
    """The Argo parameter value for a flow parameter: JSON without ``{``, ``}`` or ``$``.

    Use it for submit-time values too (``argo submit -p alpha="$(...)"``): any JSON
    encoding of the value is accepted by the step, but only this one is inert to Argo's
    ``{{ }}`` substitution and Kubernetes' ``$(VAR)`` expansion.
    """
    return _encode(value)


def _encode(value: Any) -> str:
    # Escapes are only valid inside JSON strings; structural braces never form "{{".
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return "".join(_JSON_ESCAPES.get(ch, ch) for ch in text)
    if isinstance(value, dict):
        items = (f"{_encode(str(k))}:{_encode(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    return json.dumps(value)
