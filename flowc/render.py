"""Diagnostic formatters: human text with the source line and a caret, or JSON for CI."""

from __future__ import annotations

from collections.abc import Iterable

from flowc.diagnostics import Diagnostic, Severity


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
        lines.append(f"{where}{label}: {d.code} {d.message}")
        if span is not None and span.file in sources:
            src_lines = line_cache.setdefault(span.file, sources[span.file].splitlines())
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


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    import json  # only JSON output needs it; text output is the common case

    return json.dumps([d.to_json() for d in diagnostics], indent=2, ensure_ascii=False)


def summary(diagnostics: list[Diagnostic], files: int) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    noun = "file" if files == 1 else "files"
    return f"{files} {noun} checked: {errors} error(s), {warnings} warning(s)"
