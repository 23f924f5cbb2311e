"""Unknown target option keys are errors: a typo must not be silently ignored."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flowc import codes
from flowc.diagnostics import Diagnostic, diag, did_you_mean


def unknown_option_keys(
    target: str, extra: Mapping[str, Any], known: Iterable[str]
) -> list[Diagnostic]:
    """FC305 for every key of ``extra`` not in ``known``, with a did-you-mean hint."""
    names = sorted(known)
    out = []
    for key in sorted(extra):
        if key in names:
            continue
        close = did_you_mean(key, names)
        hint = close.hint if close else f"known options: {', '.join(names)}"
        out.append(diag(codes.FC305_UNKNOWN_KEY, f"unknown {target} option {key!r}", None, hint))
    return out
