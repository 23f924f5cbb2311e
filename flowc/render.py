"""Diagnostic formatters: human text with the source line and a caret, or JSON for CI."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flowc.diagnostics import Diagnostic, Severity

_NEWLINE = re.compile(r"\r\n|\r|\n")


def render_text(
    diagnostics: Iterable[Diagnostic], sources: dict[str, str], color: bool = False
) -> str:
    lines: list[str] = []
    line_cache: dict[str, list[str]] = {}
    for d in diagnostics:
        span = d.span
        label = d.severity.value
        if color:
            colour = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m"}.get(
                d.severity, "\x1b[36m"
            )
            label = f"{colour}{label}\x1b[0m"
        where = f"{span.file}:{span.start.line}:{span.start.column + 1}: " if span else ""
        suffix = f"  [{d.subcode}]" if d.subcode else ""
        lines.append(f"{where}{label}: {d.code} {d.message}{suffix}")
        if span is not None and span.file not in line_cache:
            known = sources.get(span.file)
            line_cache[span.file] = source_lines(known if known is not None else _read(span.file))
        if span is not None:
            src_lines = line_cache[span.file]
            if 1 <= span.start.line <= len(src_lines):
                text = src_lines[span.start.line - 1].expandtabs(1)
                width = (
                    span.end.column - span.start.column
                    if span.end.line == span.start.line
                    else len(text) - span.start.column
                )
                lines.append(f"    {text}")
                lines.append("    " + " " * span.start.column + "^" + "~" * max(width - 1, 0))
        if d.hint:
            lines.append(f"    hint: {d.hint}")
    return "\n".join(lines)


def source_lines(text: str) -> list[str]:
    """Lines as Python numbers them: ``str.splitlines`` also splits at form feeds and other
    separators the tokenizer does not count, which would show the wrong line."""
    return _NEWLINE.split(text)


def _read(path: str) -> str:
    """The text of a file a diagnostic points into that was not analyzed itself (a base
    class's module); empty when it cannot be read."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError, ValueError):
        return ""


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    import json  # only JSON output needs it; text output is the common case

    return json.dumps([d.to_json() for d in diagnostics], indent=2, ensure_ascii=False)


def summary(diagnostics: list[Diagnostic], files: int) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    noun = "file" if files == 1 else "files"
    return f"{files} {noun} checked: {errors} error(s), {warnings} warning(s)"
