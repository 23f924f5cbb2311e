"""The code registry: typed constants, one number each, sub-codes under their parent."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from flowc import codes
from flowc.codes import CODES, SUBCODES, Code
from flowc.diagnostics import Span, diag
from flowc.render import render_json, render_text

REPO = Path(__file__).resolve().parents[2]


def test_every_constant_is_registered_under_its_own_name() -> None:
    constants = {name: value for name, value in vars(codes).items() if isinstance(value, Code)}
    for name, code in constants.items():
        if code.parent is None:
            assert name == code.code and CODES[code.code] is code
        else:
            assert name.startswith(code.parent.code + "_") and code in SUBCODES
    assert len(CODES) + len(SUBCODES) == len(constants)


def test_sub_codes_keep_their_parents_number_and_severity() -> None:
    names = [c.name for c in (*CODES.values(), *SUBCODES)]
    assert len(names) == len(set(names))
    for sub in SUBCODES:
        assert sub.parent is not None and CODES[sub.code] is sub.parent
        assert sub.severity is sub.parent.severity


def test_a_sub_code_is_shown_after_the_message_and_named_in_json() -> None:
    span = Span.at("f.py", 3, 4, 3, 9)
    found = diag(codes.FC208_RANGE, "@retry(times=...): 9 is out of range", span, "times=3")
    assert found.code == "FC208" and found.name == "decorator-arg-range"
    text = render_text([found], {"f.py": "\n\n    @retry(times=9)\n"})
    assert (
        "f.py:3:5: error: FC208 @retry(times=...): 9 is out of range  [decorator-arg-range]" in text
    )
    assert '"name": "decorator-arg-range"' in render_json([found])
    plain = diag(codes.FC101, "step `a` goes to unknown step `b`", span)
    assert plain.name == "unknown-transition-target" and "[" not in render_text([plain], {})


def test_a_misspelled_code_is_a_type_error(tmp_path: Path) -> None:
    """mypy refuses a code that does not exist: the registry is checked before anything runs."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        textwrap.dedent(
            """
            from flowc import codes
            from flowc.diagnostics import diag

            diag(codes.FC1O1, "typo", None)
            diag("FC101", "a string is not a code", None)
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(probe)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout
    assert 'Module has no attribute "FC1O1"' in result.stdout
    assert 'incompatible type "str"; expected "Code"' in result.stdout
