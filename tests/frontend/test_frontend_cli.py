"""The CLI as a user runs it (a subprocess): exit codes, JSON output, many files and
globs, ``compile --check``, determinism, and no traceback for any broken input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.frontend import CASES, REPO, SHAPES, run_flowc

JSON_KEYS = {
    "code",
    "name",
    "severity",
    "message",
    "hint",
    "file",
    "line",
    "column",
    "end_line",
    "end_column",
}

GOOD = (SHAPES / "linear.py").read_text(encoding="utf-8")
BAD = (CASES / "diagnostics" / "unknown_target.py").read_text(encoding="utf-8")
WARN = (CASES / "diagnostics" / "foreach_var_unset.py").read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "good.py").write_text(GOOD, encoding="utf-8")
    (tmp_path / "flows" / "warn.py").write_text(WARN, encoding="utf-8")
    (tmp_path / "flows" / "notes.py").write_text("x = 1\n", encoding="utf-8")  # no FlowSpec
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "bad.py").write_text(BAD, encoding="utf-8")
    return tmp_path


def test_exit_0_for_clean_files_and_warnings(project: Path) -> None:
    result = run_flowc("check", "flows/good.py", "flows/warn.py", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "warning: FC126" in result.stderr
    assert "2 files checked: 0 error(s), 1 warning(s)" in result.stderr
    assert "Traceback" not in result.stderr


def test_exit_1_with_location_caret_and_hint(project: Path) -> None:
    result = run_flowc("check", "broken/bad.py", cwd=project)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    head = lines.index(next(line for line in lines if "FC101" in line))
    assert lines[head].startswith("broken/bad.py:7:19: error: FC101 ")
    assert lines[head + 1] == (
        '            self.next(self.trian)  # E: FC101 "step `start` goes to unknown step `trian`"'
    )
    assert lines[head + 2] == "    " + " " * 18 + "^~~~~~~~~~"
    assert lines[head + 3] == "    hint: did you mean `train`?"


@pytest.mark.parametrize(
    "args",
    [
        ("check",),  # no FLOW argument
        ("check", "--no-such-option", "flows/good.py"),
        ("check", "missing.py"),
        ("check", "flows/good.py", "--format", "yaml"),
        ("compile", "flows/good.py"),  # --target is required
        ("compile", "flows/good.py", "--target", "ir", "--check"),  # --check needs -o
    ],
)
def test_exit_2_for_usage_errors(project: Path, args: tuple[str, ...]) -> None:
    result = run_flowc(*args, cwd=project)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr


def test_missing_file_among_good_ones_is_exit_1(project: Path) -> None:
    result = run_flowc("check", "flows/good.py", "missing.py", cwd=project)
    assert result.returncode == 1
    assert "missing.py: no such file" in result.stderr


def test_json_format(project: Path) -> None:
    result = run_flowc("check", "--format", "json", "broken/bad.py", "flows/warn.py", cwd=project)
    assert result.returncode == 1
    records = json.loads(result.stdout)
    assert {tuple(sorted(r)) for r in records} == {tuple(sorted(JSON_KEYS))}
    by_code = {r["code"]: r for r in records}
    assert set(by_code) == {"FC101", "FC126"}
    assert by_code["FC101"] | {"message": None} == {
        "code": "FC101",
        "name": "unknown-transition-target",
        "severity": "error",
        "message": None,
        "hint": "did you mean `train`?",
        "file": "broken/bad.py",
        "line": 7,
        "column": 19,
        "end_line": 7,
        "end_column": 29,
    }
    assert by_code["FC126"]["severity"] == "warning"
    assert "trian" in by_code["FC101"]["message"]
    clean = run_flowc("check", "--format", "json", "flows/good.py", cwd=project)
    assert clean.returncode == 0 and json.loads(clean.stdout) == []


def test_directories_and_globs(project: Path) -> None:
    result = run_flowc("check", "flows", cwd=project)  # notes.py has no FlowSpec: skipped
    assert result.returncode == 0, result.stderr
    assert "2 files checked" in result.stderr
    result = run_flowc("check", "--format", "json", "*/*.py", cwd=project)
    assert result.returncode == 1  # the glob includes broken/bad.py and notes.py
    files = {r["file"] for r in json.loads(result.stdout)}
    assert files == {"broken/bad.py", "flows/notes.py", "flows/warn.py"}
    nothing = run_flowc("check", "nowhere/*.py", cwd=project)
    assert nothing.returncode == 2


def test_output_is_deterministic(project: Path) -> None:
    args = ("check", "--format", "json", "flows", "broken", str(CASES / "diagnostics"))
    first = run_flowc(*args, cwd=project)
    second = run_flowc(*args, cwd=project)
    assert first.returncode == 1
    assert first.stdout == second.stdout and first.stderr == second.stderr
    text = [run_flowc("check", "flows", "broken", cwd=project) for _ in range(2)]
    assert text[0].stderr == text[1].stderr


def test_compile_twice_is_byte_identical_and_check_detects_staleness(project: Path) -> None:
    out = project / "out"
    first = run_flowc("compile", "flows", "--target", "ir", "-o", "out", cwd=project)
    assert first.returncode == 0, first.stderr
    snapshot = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert sorted(snapshot) == ["ForeachVarUnsetFlow.ir.json", "LinearFlow.ir.json"]
    second = run_flowc("compile", "flows", "--target", "ir", "-o", "out", cwd=project)
    assert second.returncode == 0
    assert {p.name: p.read_bytes() for p in sorted(out.iterdir())} == snapshot

    check = ("compile", "flows", "--target", "ir", "-o", "out", "--check")
    up_to_date = run_flowc(*check, cwd=project)
    assert up_to_date.returncode == 0, up_to_date.stderr
    assert "2 file(s) up to date" in up_to_date.stderr

    (project / "flows" / "good.py").write_text(GOOD.replace("Four steps", "4 steps"), "utf-8")
    stale = run_flowc(*check, cwd=project)
    assert stale.returncode == 1
    assert "stale: out/LinearFlow.ir.json" in stale.stderr
    assert {p.name: p.read_bytes() for p in sorted(out.iterdir())} == snapshot  # nothing written

    (out / "LinearFlow.ir.json").unlink()
    missing = run_flowc(*check, cwd=project)
    assert missing.returncode == 1


def test_compile_with_errors_writes_nothing(project: Path) -> None:
    result = run_flowc("compile", "broken", "--target", "ir", "-o", "out", cwd=project)
    assert result.returncode == 1
    assert "FC101" in result.stderr
    assert not (project / "out").exists()


def test_ir_to_stdout_matches_golden() -> None:
    result = run_flowc("compile", "tests/shapes/branch.py", "--target", "ir", cwd=REPO)
    assert result.returncode == 0, result.stderr
    golden = REPO / "tests" / "golden" / "ir" / "branch.ir.json"
    assert result.stdout == golden.read_text(encoding="utf-8")


BROKEN_INPUTS = {
    "empty.py": "",
    "blank.py": "\n\n   \n",
    "syntax.py": "class F(FlowSpec:\n",
    "no_flow.py": "print('hello')\n",
    "binary.py": b"\x00\xff\xfe garbage \x80",
    "nul.py": "from metaflow import FlowSpec\x00\n",
    "deep.py": "x = " + "(" * 400 + ")" * 400 + "\n",
    "tabs.py": "from metaflow import FlowSpec\nclass F(FlowSpec):\n\tx = 1\n  y = 2\n",
}


def test_broken_inputs_are_diagnostics_never_tracebacks(tmp_path: Path) -> None:
    for name, content in BROKEN_INPUTS.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    result = run_flowc("check", "--format", "json", *sorted(BROKEN_INPUTS), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    records = json.loads(result.stdout)
    codes = {r["file"]: r["code"] for r in records}
    assert codes == {
        "binary.py": "FC005",
        "blank.py": "FC002",
        "deep.py": codes["deep.py"],
        "empty.py": "FC002",
        "no_flow.py": "FC002",
        "nul.py": "FC001",
        "syntax.py": "FC001",
        "tabs.py": "FC001",
    }
    assert codes["deep.py"] in {"FC001", "FC002"}
    assert not any(r["code"] == "FC901" for r in records)


def test_flow_option_selects_a_class(tmp_path: Path) -> None:
    shutil.copy(CASES / "diagnostics" / "ambiguous_flows.py", tmp_path / "two.py")
    chosen = run_flowc("check", "--flow", "SecondFlow", "two.py", cwd=tmp_path)
    assert chosen.returncode == 0, chosen.stderr
    unknown = run_flowc("check", "--format", "json", "--flow", "ThirdFlow", "two.py", cwd=tmp_path)
    assert unknown.returncode == 1
    assert [r["code"] for r in json.loads(unknown.stdout)] == ["FC004"]


def test_show_and_graph(tmp_path: Path) -> None:
    show = run_flowc("show", "tests/shapes/nested_foreach3.py", cwd=REPO)
    assert show.returncode == 0, show.stderr
    assert "join3 [join] -> join2" in show.stdout
    assert "inputs: join-foreach:level3" in show.stdout
    mermaid = run_flowc("graph", "tests/shapes/switch_basic.py", "--format", "mermaid", cwd=REPO)
    assert mermaid.returncode == 0 and mermaid.stdout.startswith(("flowchart", "graph"))
    dot = run_flowc("graph", "tests/shapes/branch.py", "--format", "dot", cwd=REPO)
    assert dot.returncode == 0 and '"start" -> "left";' in dot.stdout
    bad = run_flowc("graph", str(CASES / "diagnostics" / "cycle.py"), cwd=REPO)
    assert bad.returncode == 1 and "FC113" in bad.stderr
