"""``flowc check --fix`` / ``--diff``: make the fixes (:mod:`flowc.fixer`), say what was
fixed, then write and check again, or print the diff and write nothing."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from flowc.commands._common import analyze_arguments, exit_code, run_check
from flowc.diagnostics import Diagnostic, sort_key
from flowc.sources import display_path, expand_flow_paths


def run_fix(flows: Sequence[str], flow_name: str | None, output_format: str, *, write: bool) -> int:
    """Fix FLOW files in place (``write``) or print the fixes as a diff; the exit code."""
    from flowc.fixer import fix_flows  # imports libcst

    paths, _ = expand_flow_paths(tuple(flows))
    outcome = fix_flows([display_path(p) for p in paths], flow_name)
    verb = "fixed" if write else "would fix"
    for d in sorted(outcome.applied, key=sort_key):
        _err(f"{_where(d)}{verb} {d.code} {d.fix.describe() if d.fix else ''}")
    if write:
        for changed in outcome.changed:
            try:
                changed.write()
            except OSError as exc:
                _err(f"flowc: cannot write {changed.path}: {exc.strerror}")
                return 1
        return run_check(flows, flow_name, output_format)
    for changed in outcome.changed:
        sys.stdout.write(changed.diff())
    sys.stdout.flush()
    files = len(outcome.changed)
    _err(
        f"{len(outcome.applied)} fix(es) in {files} file(s), nothing written"
        + (" (apply them with --fix)" if files else "")
    )
    batch = analyze_arguments(tuple(flows), flow_name)
    for problem in batch.missing:
        _err(f"flowc: {problem}")
    return exit_code(batch)


def _where(d: Diagnostic) -> str:
    span = d.span
    return f"{span.file}:{span.start.line}:{span.start.column + 1}: " if span else ""


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
