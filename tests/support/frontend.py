"""Helpers shared by the front-end tests: paths, expected-diagnostic markers, the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flowc.diagnostics import Diagnostic

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "cases"
SHAPES = REPO / "tests" / "shapes"
GOLDEN_IR = REPO / "tests" / "golden" / "ir"
SCHEMA = REPO / "schemas" / "ir.schema.json"

# `# E: FC101 "unknown step"` / `# W: FC201 "not a literal", FC202 "kept as"` on the line the
# diagnostic must point at: the code, optionally its sub-code (`FC208[decorator-arg-range]`),
# and a fragment of the message, so a marker cannot be satisfied by another problem that
# happens to share the code and the line.
_ENTRY = r'FC\d{3}(?:\[[a-z-]+\])?(?:\s+"[^"]*")?'
_MARKER = re.compile(rf"#\s*([EWN]):\s*({_ENTRY}(?:\s*,\s*{_ENTRY})*)")
_PARTS = re.compile(r'(FC\d{3})(?:\[([a-z-]+)\])?(?:\s+"([^"]*)")?')
_LETTER = {"E": "error", "W": "warning", "N": "note"}


@dataclass(frozen=True)
class Marker:
    """One expected diagnostic: where, how severe, which code, and what its message says."""

    line: int
    severity: str
    code: str
    subcode: str | None
    fragment: str | None


def markers(source: str) -> list[Marker]:
    """Every marker written as a comment in ``source``, in file order."""
    found: list[Marker] = []
    for number, line in enumerate(source.splitlines(), start=1):
        for letter, entries in _MARKER.findall(line):
            for code, subcode, fragment in _PARTS.findall(entries):
                found.append(
                    Marker(number, _LETTER[letter], code, subcode or None, fragment or None)
                )
    return found


def expected_markers(source: str) -> list[tuple[int, str, str]]:
    """Sorted (line, severity, code) triples written as comments in ``source``."""
    return sorted((m.line, m.severity, m.code) for m in markers(source))


def unmatched_markers(source: str, diagnostics: Sequence[Diagnostic]) -> list[Marker]:
    """Markers whose sub-code or message fragment no diagnostic on their line has.

    A marker without a fragment is unmatched too: every marker says what it expects.
    """
    missing = []
    for marker in markers(source):
        hits = [
            d
            for d in diagnostics
            if d.span is not None
            and d.span.start.line == marker.line
            and d.code == marker.code
            and (marker.subcode is None or d.subcode == marker.subcode)
            and marker.fragment is not None
            and marker.fragment in d.message
        ]
        if not hits:
            missing.append(marker)
    return missing


def run_flowc(*args: str, cwd: Path | str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh interpreter, as a user would."""
    env = dict(os.environ)
    env.pop("FLOWC_REGEN", None)
    return subprocess.run(
        [sys.executable, "-m", "flowc.cli", *args],
        cwd=cwd or REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
