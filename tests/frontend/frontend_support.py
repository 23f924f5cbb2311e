"""Helpers shared by the front-end tests: paths, expected-diagnostic markers, the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "tests" / "cases"
SHAPES = REPO / "tests" / "shapes"
GOLDEN_IR = REPO / "tests" / "golden" / "ir"
SCHEMA = REPO / "schemas" / "ir.schema.json"

# `# E: FC101` / `# W: FC201, FC202` on the line the diagnostic must point at.
_MARKER = re.compile(r"#\s*([EWN]):\s*(FC\d{3}(?:\s*,\s*FC\d{3})*)")
_LETTER = {"E": "error", "W": "warning", "N": "note"}


def expected_markers(source: str) -> list[tuple[int, str, str]]:
    """Sorted (line, severity, code) triples written as comments in ``source``."""
    found: list[tuple[int, str, str]] = []
    for number, line in enumerate(source.splitlines(), start=1):
        for letter, codes in _MARKER.findall(line):
            for code in codes.split(","):
                found.append((number, _LETTER[letter], code.strip()))
    return sorted(found)


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
