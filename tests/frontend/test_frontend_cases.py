"""Data-driven diagnostic cases: one flow file per case under tests/cases/diagnostics/.

Each file carries its expected diagnostics inline, on the offending line
(``# E: FC101 "unknown step"`` for errors, ``# W: FC201 "not a literal"`` for warnings,
``FC208[decorator-arg-range]`` to name a sub-code). The test compares the exact multiset of
(line, severity, code) the analyzer reports with the markers, so a missed problem, an
extra one or one reported on the wrong line all fail, and each marker's message fragment
(and sub-code) must be in a diagnostic of that code on that line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flowc.compiler import analyze_file
from flowc.diagnostics import CODES
from flowc.render import render_json, render_text
from tests.support.frontend import CASES, expected_markers, unmatched_markers

CASE_FILES = sorted(p for p in (CASES / "diagnostics").glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    expected = expected_markers(source)
    assert expected, f"{path.name} has no # E:/# W: markers"
    analysis = analyze_file(str(path))
    got = sorted(
        (d.span.start.line if d.span else 0, d.severity.value, d.code) for d in analysis.diagnostics
    )
    assert got == expected, "\n" + render_text(analysis.diagnostics, {str(path): source})
    assert not unmatched_markers(source, analysis.diagnostics), render_text(
        analysis.diagnostics, {str(path): source}
    )
    if any(sev == "error" for _, sev, _ in expected):
        assert analysis.ir is None
    for d in analysis.diagnostics:
        assert d.severity is CODES[d.code].severity
        assert d.span is not None and d.span.file == str(path)
        assert d.message and "\n" not in d.message
        assert d.hint, f"{d.code} has no fix hint: {d.message}"
    # Every diagnostic renders with its location, the source line and a caret.
    text = render_text(analysis.diagnostics, {str(path): source})
    for d in analysis.diagnostics:
        assert d.span is not None
        assert f"{path}:{d.span.start.line}:{d.span.start.column + 1}: " in text
    assert text.count("^") == len(analysis.diagnostics)
    assert render_json(analysis.diagnostics)


def test_every_graph_and_parameter_code_has_a_case() -> None:
    """Each FC0xx-FC2xx code the front end can emit is exercised by at least one case."""
    covered = {
        code
        for path in CASE_FILES
        for _, _, code in expected_markers(path.read_text(encoding="utf-8"))
    }
    # FC004 needs --flow, FC005 an unreadable file, FC006 an unresolvable base: tested in
    # test_frontend_cli/test_frontend_features, where those conditions can be set up;
    # FC136 needs --config values (tests/config); FC211/FC212 come from the lock file and
    # the resolver, FC213 from probing conda channels, FC214 from capturing IncludeFile
    # defaults when compiling (tests/environments).
    elsewhere = {"FC004", "FC005", "FC006", "FC136", "FC211", "FC212", "FC213", "FC214"}
    front_end = {c for c in CODES if c < "FC300"}
    assert front_end - covered - elsewhere == set()
