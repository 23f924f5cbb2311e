"""``flowc check --fix`` and ``--diff`` on real files: each fix kind, exact preservation of
everything around an edit, idempotence, ambiguous hints left alone, libcst imported only
by these options, and a property test over generated flows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from flowc.compiler import analyze_source
from flowc.diagnostics import did_you_mean
from flowc.fixer import apply_fixes, fix_flows
from tests.support.flowgen import GenFlow, valid_flows
from tests.support.frontend import run_flowc

HEADER = "from metaflow import FlowSpec, retry, step\n\n\n"

# The steps after start in the flows below.
TRAIN_AND_END = (
    "    @step\n"
    "    def train(self):\n"
    "        self.next(self.end)\n"
    "\n"
    "    @step\n"
    "    def end(self):\n"
    "        pass  # done\n"
)

# A misspelled step in self.next (FC101), inside comments and odd spacing that must survive.
TARGET_BEFORE = (
    HEADER
    + (
        "class TargetFlow(FlowSpec):\n"
        "    @step\n"
        "    def start(self):\n"
        "        # where to go next\n"
        "        self.next(  # the one transition\n"
        "            self.trian ,   # typo on purpose\n"
        "\n"
        "        )\n"
        "\n"
        "\n"
    )
    + TRAIN_AND_END
)
TARGET_AFTER = TARGET_BEFORE.replace("self.trian ,", "self.train ,")

# A misspelled decorator argument (FC206).
KEYWORD_BEFORE = HEADER + (
    "class KeywordFlow(FlowSpec):\n"
    "    @retry( tims = 3 ,minutes_between_retries=1)  # flaky service\n"
    "    @step\n"
    "    def start(self):\n"
    "        self.next(self.end)\n"
    "\n"
    "    @step\n"
    "    def end(self):\n"
    "        pass\n"
)
KEYWORD_AFTER = KEYWORD_BEFORE.replace("tims = 3", "times = 3")

# A join without its `inputs` parameter (FC112), its parameters one per line.
JOIN_BEFORE = HEADER + (
    "class JoinFlow(FlowSpec):\n"
    "    @step\n"
    "    def start(self):\n"
    "        self.next(self.a, self.b)\n"
    "\n"
    "    @step\n"
    "    def a(self):\n"
    "        self.next(self.join)\n"
    "\n"
    "    @step\n"
    "    def b(self):\n"
    "        self.next(self.join)\n"
    "\n"
    "    @step\n"
    "    def join(\n"
    "        self,  # the join\n"
    "    ):\n"
    "        self.next(self.end)\n"
    "\n"
    "    @step\n"
    "    def end(self):\n"
    "        pass\n"
)
JOIN_AFTER = JOIN_BEFORE.replace(
    "        self,  # the join\n", "        self,  # the join\n        inputs,\n"
)

# Two equally close candidates: the hint names both and nothing is fixed.
AMBIGUOUS = HEADER + (
    "class AmbiguousFlow(FlowSpec):\n"
    "    @step\n"
    "    def start(self):\n"
    "        self.next(self.trainb)\n"
    "\n"
    "    @step\n"
    "    def traina(self):\n"
    "        self.next(self.end)\n"
    "\n"
    "    @step\n"
    "    def trainc(self):\n"
    "        self.next(self.end)\n"
    "\n"
    "    @step\n"
    "    def end(self):\n"
    "        pass\n"
)

KINDS = {
    "FC101": (TARGET_BEFORE, TARGET_AFTER, "replace `self.trian` with `self.train`"),
    "FC206": (KEYWORD_BEFORE, KEYWORD_AFTER, "rename argument `tims` to `times`"),
    "FC112": (JOIN_BEFORE, JOIN_AFTER, "add parameter `inputs` to `join`"),
}


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_bytes(text.encode("utf-8"))
    # An old mtime, so that a rewrite (even one within the same second) is visible.
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    return path


def _unchanged(path: Path, text: str) -> bool:
    return path.read_bytes() == text.encode("utf-8") and (
        path.stat().st_mtime_ns == 1_000_000_000_000_000_000
    )


@pytest.mark.parametrize("code", sorted(KINDS))
def test_each_fix_kind_makes_the_file_clean_and_keeps_the_rest_exactly(
    tmp_path: Path, code: str
) -> None:
    before, after, description = KINDS[code]
    path = _write(tmp_path, "flow.py", before)
    assert run_flowc("check", "flow.py", cwd=tmp_path).returncode == 1

    fixed = run_flowc("check", "--fix", "flow.py", cwd=tmp_path)

    assert fixed.returncode == 0, fixed.stderr
    assert re.search(
        rf"^flow\.py:\d+:\d+: fixed {code} {re.escape(description)}$", fixed.stderr, re.M
    )
    assert "1 file checked: 0 error(s), 0 warning(s)" in fixed.stderr
    assert path.read_text(encoding="utf-8") == after
    assert run_flowc("check", "flow.py", cwd=tmp_path).returncode == 0


def test_a_second_fix_changes_nothing_and_rewrites_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, "flow.py", TARGET_BEFORE)
    assert run_flowc("check", "--fix", "flow.py", cwd=tmp_path).returncode == 0
    _write(tmp_path, "flow.py", TARGET_AFTER)

    again = run_flowc("check", "--fix", "flow.py", cwd=tmp_path)

    assert again.returncode == 0, again.stderr
    assert "fixed" not in again.stderr
    assert _unchanged(path, TARGET_AFTER)


def test_files_without_fixes_are_not_rewritten(tmp_path: Path) -> None:
    clean = _write(tmp_path, "clean.py", TARGET_AFTER)
    broken = _write(tmp_path, "broken.py", KEYWORD_BEFORE)

    result = run_flowc("check", "--fix", "clean.py", "broken.py", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert _unchanged(clean, TARGET_AFTER)
    assert broken.read_text(encoding="utf-8") == KEYWORD_AFTER


def test_diff_prints_a_patch_that_applies_and_writes_nothing(tmp_path: Path) -> None:
    paths = {code: _write(tmp_path, f"{code}.py", before) for code, (before, _, _) in KINDS.items()}

    result = run_flowc("check", "--diff", *(f"{code}.py" for code in KINDS), cwd=tmp_path)

    assert result.returncode == 1  # as `flowc check`: the files still have their errors
    for code, (before, _, _) in KINDS.items():
        assert _unchanged(paths[code], before)
        assert f"--- a/{code}.py\n+++ b/{code}.py\n" in result.stdout
        assert re.search(rf"^{code}\.py:\d+:\d+: would fix {code} ", result.stderr, re.M)
    assert "-            self.trian ,   # typo on purpose\n" in result.stdout
    assert "+            self.train ,   # typo on purpose\n" in result.stdout
    assert "nothing written" in result.stderr
    # The diff is a real patch: GNU patch applied to a copy gives what --fix writes.
    copy = tmp_path / "copy"
    copy.mkdir()
    for code, (before, _, _) in KINDS.items():
        (copy / f"{code}.py").write_text(before, encoding="utf-8")
    subprocess.run(
        ["patch", "-p1", "--quiet"], input=result.stdout, cwd=copy, text=True, check=True
    )
    for code, (_, after, _) in KINDS.items():
        assert (copy / f"{code}.py").read_text(encoding="utf-8") == after


def test_an_ambiguous_hint_is_never_applied(tmp_path: Path) -> None:
    path = _write(tmp_path, "flow.py", AMBIGUOUS)

    fixed = run_flowc("check", "--fix", "flow.py", cwd=tmp_path)
    preview = run_flowc("check", "--diff", "flow.py", cwd=tmp_path)

    assert fixed.returncode == 1
    assert "fixed" not in fixed.stderr
    assert "hint: did you mean `traina` or `trainc`?" in fixed.stderr
    assert preview.returncode == 1
    assert preview.stdout == ""
    assert _unchanged(path, AMBIGUOUS)


def test_a_fix_that_uncovers_another_is_followed_in_the_same_run(tmp_path: Path) -> None:
    # The misspelled target hides the graph checks; once it is fixed, the join is found.
    before = JOIN_BEFORE.replace(
        "    def a(self):\n        self.next(self.join)",
        "    def a(self):\n        self.next(self.jion)",
    )
    path = _write(tmp_path, "flow.py", before)

    fixed = run_flowc("check", "--fix", "flow.py", cwd=tmp_path)

    assert fixed.returncode == 0, fixed.stderr
    assert "fixed FC101" in fixed.stderr and "fixed FC112" in fixed.stderr
    assert path.read_text(encoding="utf-8") == JOIN_AFTER


def test_remaining_errors_are_reported_after_fixing(tmp_path: Path) -> None:
    both = AMBIGUOUS.replace(
        "    @step\n    def start", "    @retry(tims=2)\n    @step\n    def start"
    )
    path = _write(tmp_path, "flow.py", both)

    fixed = run_flowc("check", "--fix", "--format", "json", "flow.py", cwd=tmp_path)

    assert fixed.returncode == 1
    assert "fixed FC206" in fixed.stderr
    assert '"code": "FC101"' in fixed.stdout and "FC206" not in fixed.stdout
    assert path.read_text(encoding="utf-8") == both.replace("tims=2", "times=2")


def test_line_endings_bom_and_non_ascii_columns_are_kept(tmp_path: Path) -> None:
    # ast counts columns in UTF-8 bytes, libcst in characters: "é" before the target
    # puts them one apart.
    before = (
        HEADER
        + (
            "class NoteFlow(FlowSpec):\n"
            "    @step\n"
            "    def start(self):\n"
            '        self.note = "é"; self.next(self.trian)  # ü\n'
            "\n"
        )
        + TRAIN_AND_END
    )
    raw = b"\xef\xbb\xbf" + before.replace("\n", "\r\n").encode("utf-8")
    path = tmp_path / "flow.py"
    path.write_bytes(raw)

    fixed = run_flowc("check", "--fix", "flow.py", cwd=tmp_path)

    assert fixed.returncode == 0, fixed.stderr
    assert path.read_bytes() == raw.replace(b"self.trian)", b"self.train)")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    _write(tmp_path, "flow.py", TARGET_BEFORE)
    both = run_flowc("check", "--fix", "--diff", "flow.py", cwd=tmp_path)
    missing = run_flowc("check", "--fix", "nowhere.py", cwd=tmp_path)
    assert both.returncode == 2 and "--fix and --diff" in both.stderr
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


# The two ways into the CLI: the click group, and whatever the `flowc` script names
# (a click-free fast path for simple arguments, or the click group itself).
ENTRIES = {
    "click": "from flowc.cli import main as entry\n",
    "console script": (
        "from importlib.metadata import entry_points\n"
        "(script,) = entry_points(group='console_scripts', name='flowc')\n"
        "entry = script.load()\n"
    ),
}
# Runs flowc in-process, then says whether libcst was imported.
_PROBE = (
    "import sys\n"
    "try:\n"
    "    code = entry(sys.argv[1:])\n"
    "except SystemExit as stop:\n"
    "    code = stop.code\n"
    "print('libcst' in sys.modules)\n"
    "sys.exit(code)\n"
)


def _run_entry(entry: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", ENTRIES[entry] + _PROBE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_fix_reaches_the_click_command_from_every_entry(tmp_path: Path, entry: str) -> None:
    path = _write(tmp_path, "flow.py", TARGET_BEFORE)
    result = _run_entry(entry, ["check", "--fix", "flow.py"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert path.read_text(encoding="utf-8") == TARGET_AFTER


@pytest.mark.parametrize("entry", sorted(ENTRIES))
@pytest.mark.parametrize(
    "args, imported",
    [
        (["--help"], False),
        (["check", "--help"], False),
        (["check", "flow.py"], False),
        (["compile", "flow.py", "--target", "ir"], False),
        (["check", "--diff", "flow.py"], True),  # the probe can see libcst when it is there
    ],
)
def test_libcst_is_imported_only_by_fix_and_diff(
    tmp_path: Path, entry: str, args: list[str], imported: bool
) -> None:
    _write(tmp_path, "flow.py", TARGET_AFTER)
    result = _run_entry(entry, args, tmp_path)
    assert result.stdout.splitlines()[-1] == str(imported), result.stderr


def test_check_help_documents_fix_and_diff() -> None:
    result = run_flowc("check", "--help")
    assert result.returncode == 0
    assert "--fix" in result.stdout and "--diff" in result.stdout


def test_did_you_mean_tells_a_unique_match_from_a_tie() -> None:
    unique = did_you_mean("trian", ["end", "train", "trains"])
    tie = did_you_mean("trainb", ["end", "traina", "trainc"])
    assert unique is not None and unique.unique == "train"
    assert tie is not None and tie.unique is None and tie.names == ("traina", "trainc")
    assert did_you_mean("zzz", ["end", "start"]) is None


def test_a_fix_for_other_text_is_not_applied() -> None:
    # The diagnostics of one version of a file, applied to another where the name moved.
    analysis = analyze_source("flow.py", TARGET_BEFORE)
    moved = TARGET_BEFORE.replace("            self.trian", "           self.trian ")
    text, made = apply_fixes(moved, analysis.diagnostics)
    assert (text, made) == (moved, [])


# Deterministic examples keep CI reproducible, as in test_frontend_properties.
COMMON = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"


@dataclass(frozen=True)
class Misspelling:
    flow: GenFlow
    damaged: str  # the flow's source with one step reference misspelled
    meant: str  # the step the reference names
    wrong: str  # what it says instead
    line: int  # 0-based


@st.composite
def misspelled_flows(draw: st.DrawFn) -> Misspelling:
    """A generated flow with one step reference misspelled by one character (inserted,
    deleted, replaced, or two neighbours swapped) into a name that is not a step."""
    flow = draw(valid_flows())
    source = flow.source()
    references = [m for m in re.finditer(r"self\.(\w+)", source) if m.group(1) in flow.steps]
    match = draw(st.sampled_from(references))
    meant = match.group(1)
    at = draw(st.integers(0, len(meant) - 1))
    letter = draw(st.sampled_from(_LETTERS))
    wrong = draw(
        st.sampled_from(
            [
                meant[:at] + letter + meant[at:],
                meant[:at] + meant[at + 1 :],
                meant[:at] + letter + meant[at + 1 :],
                meant[:at] + meant[at + 1 : at + 2] + meant[at] + meant[at + 2 :],
            ]
        )
    )
    assume(wrong not in flow.steps and wrong.isidentifier() and not wrong.startswith("_"))
    start, end = match.span(1)
    line = source.count("\n", 0, start)
    return Misspelling(flow, source[:start] + wrong + source[end:], meant, wrong, line)


@settings(max_examples=60, **COMMON)
@given(misspelled_flows())
def test_fix_restores_a_flow_with_a_misspelled_step_reference(case: Misspelling) -> None:
    """Where the meant step is the one closest name, --fix gives back the flow exactly as
    it was generated, and it checks clean; where the closest names tie (or nothing is
    close), the file is left as it is."""
    suggestion = did_you_mean(case.wrong, sorted(case.flow.steps))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "generated.py"
        path.write_text(case.damaged, encoding="utf-8")
        for changed in fix_flows([str(path)], None).changed:
            changed.write()
        fixed = path.read_text(encoding="utf-8")
    if suggestion is None or suggestion.unique is None:
        event("ambiguous or no candidate")
        assert fixed == case.damaged
    elif suggestion.unique == case.meant:
        event("unambiguous")
        assert fixed == case.flow.source()
        assert analyze_source("generated.py", fixed).diagnostics == []
    else:
        # Another step is the closest name: the reference now names it.
        event("another step is closer")
        edited = fixed.splitlines()[case.line]
        assert f"self.{suggestion.unique}" in edited and f"self.{case.wrong}" not in edited
