"""Data-driven FC3xx cases: one flow file per case under tests/cases/targets/.

A case names its target in a ``# target: NAME`` line, may set ``# options: k=v ...`` and
``# datastore: URL``, and carries its expected diagnostics inline on the offending line
(``# E: FC308``, ``# W: FC302``); one without a source line is written
``# unplaced: E FC305``. The test compares the exact multiset of (line, severity, code)
the analyzer and the backend report, so a missed, extra or misplaced diagnostic fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backends.base import TargetOptions, get_backend
from flowc.compiler import analyze_file
from flowc.diagnostics import CODES, Severity
from tests.support.frontend import expected_markers, unmatched_markers

CASES = Path(__file__).parents[1] / "cases" / "targets"
CASE_FILES = sorted(CASES.glob("*.py"))
_HEADER = re.compile(r"^# (target|options|datastore|unplaced): (.*)$", re.MULTILINE)
_SEVERITY = {"E": "error", "W": "warning"}

# FC3xx codes each target can report, and where the ones no small flow can trigger are
# tested instead.
APPLIES = {
    "argo": {"FC301", "FC302", "FC303", "FC304", "FC305", "FC306", "FC307", "FC308"},
    "airflow": {"FC301", "FC302", "FC304", "FC305", "FC306", "FC308"},
    "stepfunctions": {"FC301", "FC302", "FC303", "FC304", "FC305", "FC307", "FC308"},
}
ELSEWHERE = {
    # Size limits need a manifest over 256 KiB / 1.5 MiB: test_argo_decorators.py
    # (test_size_check_reports_measured_size, test_thousand_step_flow_...).
    ("argo", "FC303"),
    ("argo", "FC307"),
    # Template names are allocated collision-free; FC304 guards flowc itself.
    ("argo", "FC304"),
    # Every parameter name the analyzer accepts is safe in a pod; FC304 guards IRs made
    # elsewhere: test_emit.py (a parameter renamed in the IR).
    ("airflow", "FC304"),
    # State names are allocated collision-free and parameters travel as one document
    # (any name works); FC304 guards flowc itself.
    ("stepfunctions", "FC304"),
    # Batch/ECS overrides and the 1 MiB definition: test_sfn_emit.py
    # (test_limits_are_reported_with_sizes).
    ("stepfunctions", "FC303"),
}


def _header(source: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in _HEADER.findall(source):
        found.setdefault(key, []).append(value.strip())
    return found


def _expected(source: str) -> list[tuple[int, str, str]]:
    unplaced = []
    for entry in _header(source).get("unplaced", []):
        letter, code = entry.split()
        unplaced.append((0, _SEVERITY[letter], code))
    return sorted(expected_markers(source) + unplaced)


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    header = _header(source)
    [target] = header["target"]
    extra = dict(item.split("=", 1) for line in header.get("options", []) for item in line.split())
    [datastore] = header.get("datastore", ["s3://flowc-bucket/flows"])
    analysis = analyze_file(str(path))
    assert analysis.ir is not None, [(d.code, d.message) for d in analysis.diagnostics]
    result = get_backend(target).emit(
        analysis.ir, TargetOptions(datastore_root=datastore, extra=extra)
    )
    diagnostics = [*analysis.diagnostics, *result.diagnostics]
    got = sorted(
        (d.span.start.line if d.span else 0, d.severity.value, d.code) for d in diagnostics
    )
    assert got == _expected(source), [(d.code, d.message) for d in diagnostics]
    assert not unmatched_markers(source, diagnostics), [(d.code, d.message) for d in diagnostics]
    for d in diagnostics:
        assert d.severity is CODES[d.code].severity and d.message and "\n" not in d.message
        assert d.span is None or d.span.file == str(path)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        assert result.files == []


def test_every_fc3xx_code_has_a_case_on_every_target() -> None:
    covered = {
        (_header(p.read_text())["target"][0], code)
        for p in CASE_FILES
        for _, _, code in _expected(p.read_text())
    }
    for target, codes in APPLIES.items():
        missing = {c for c in codes if (target, c) not in covered | ELSEWHERE}
        assert missing == set(), target
