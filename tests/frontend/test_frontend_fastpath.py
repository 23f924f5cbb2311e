"""``flowc check`` without click (``flowc.commands._common.fast_main``) behaves exactly
like the click command: same output bytes, same exit codes; anything it does not parse
falls back to click."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from frontend_support import CASES, REPO, SHAPES

from flowc.commands._common import parse_simple_check

FAST = (
    "import sys\n"
    "from flowc.commands._common import fast_main\n"
    "code = fast_main(sys.argv[1:])\n"
    "sys.stderr.write('[click imported]' if 'click' in sys.modules else '')\n"
    "sys.exit(code)\n"
)


def _run(args: list[str], fast: bool) -> subprocess.CompletedProcess[str]:
    entry = ["-c", FAST] if fast else ["-m", "flowc.cli"]
    env = {k: v for k, v in os.environ.items() if k != "FLOWC_REGEN"}
    return subprocess.run(
        [sys.executable, *entry, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args, expected",
    [
        (["a.py"], (["a.py"], None, "text")),
        (["a.py", "b/"], (["a.py", "b/"], None, "text")),
        (["--format", "json", "a.py"], (["a.py"], None, "json")),
        (["a.py", "--format=json", "--flow=F"], (["a.py"], "F", "json")),
        (["--flow", "F", "--flow", "G", "a.py"], (["a.py"], "G", "text")),
        (["-"], (["-"], None, "text")),
        ([], None),
        (["--format", "json"], None),
        (["--format", "yaml", "a.py"], None),
        (["a.py", "--flow"], None),
        (["--help"], None),
        (["-h", "a.py"], None),
        (["--", "a.py"], None),
        (["--verbose", "a.py"], None),
    ],
)
def test_parse_simple_check(args: list[str], expected: object) -> None:
    assert parse_simple_check(args) == expected


CASE = str((CASES / "diagnostics" / "unknown_target.py").relative_to(REPO))
WARN = str((CASES / "diagnostics" / "foreach_var_unset.py").relative_to(REPO))
SHAPE = str((SHAPES / "branch.py").relative_to(REPO))


@pytest.mark.parametrize(
    "args, fast_without_click",
    [
        (["check", SHAPE], True),
        (["check", CASE, WARN, SHAPE], True),
        (["check", "--format", "json", CASE, WARN], True),
        (["check", "--flow=BranchFlow", SHAPE, "missing.py"], True),
        (["check", "missing.py"], True),
        (["check", "--format", "yaml", SHAPE], False),
        (["check"], False),
        (["check", "--help"], False),
    ],
)
def test_fast_path_matches_click(args: list[str], fast_without_click: bool, tmp_path: Path) -> None:
    fast, slow = _run(args, fast=True), _run(args, fast=False)
    marker = "[click imported]"
    assert fast.stderr.endswith(marker) != fast_without_click
    assert (fast.returncode, fast.stdout, fast.stderr.removesuffix(marker)) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )


LINEAR = str((SHAPES / "linear.py").relative_to(REPO))


@pytest.mark.parametrize(
    "args, fast_without_click",
    [
        (["compile", SHAPE, "--target", "ir"], True),
        (["compile", SHAPE, "-t", "argo", "--datastore", "s3://b/p", "--label", "team=ml"], True),
        (["compile", SHAPE, "--target=argo", "--option", "kind=Workflow", "--image", "i:1"], True),
        (["compile", SHAPE, "--target", "airflow", "--option=operator=local"], True),
        (["compile", SHAPE, "--target", "stepfunctions"], True),
        (["compile", CASE, WARN, "--target", "argo", "--format", "json"], True),
        (["compile", SHAPE, LINEAR, "--target", "ir"], True),
        (["compile", SHAPE, LINEAR, "--target", "argo", "-o", "{tmp}/out"], True),
        (["compile", SHAPE, LINEAR, "--target", "argo", "-o", "{tmp}/out", "--check"], True),
        (["compile", "missing.py", "--target", "ir"], True),
        (["compile", SHAPE, "--target", "nope"], False),
        (["compile", SHAPE, "--target", "ir", "--check"], False),
        (["compile", SHAPE, "--target", "ir", "--label", "no-equals"], False),
        (["compile", SHAPE, "--target", "ir", "--verbose"], False),
        (["compile", SHAPE], False),
        (["compile", "--help"], False),
    ],
)
def test_fast_compile_matches_click(
    args: list[str], fast_without_click: bool, tmp_path: Path
) -> None:
    """Run in order, the -o cases write, then --check finds the files current; the fast
    entry and click give the same bytes, files and exit codes."""
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--check" in args and "-o" in args:
        _run([a for a in args if a != "--check"], fast=False)
    fast, slow = _run(args, fast=True), _run(args, fast=False)
    marker = "[click imported]"
    assert fast.stderr.endswith(marker) != fast_without_click, fast.stderr
    assert (fast.returncode, fast.stdout, fast.stderr.removesuffix(marker)) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )


def test_parse_simple_compile() -> None:
    from flowc.commands._common import parse_simple_compile

    parsed = parse_simple_compile(
        ["a.py", "-t", "argo", "--label", "a=1", "--label=b=2", "--option", "k=v=w", "-o", "d"]
    )
    assert parsed == {
        "flows": ("a.py",),
        "target": "argo",
        "labels": {"a": "1", "b": "2"},
        "target_options": {"k": "v=w"},
        "output_dir": "d",
    }
    assert parse_simple_compile(["a.py", "-t=argo"]) is None  # click reads "=argo"
    assert parse_simple_compile(["a.py", "--target", "argo", "--check"]) is None
    assert parse_simple_compile(["a.py", "--target", "argo", "-o"]) is None


def test_internal_error_is_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import flowc.commands._common as common

    def broken(*args: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(common, "analyze_arguments", broken)
    assert common.fast_main(["check", "x.py"]) == 3
    assert "internal error: RuntimeError('boom') (exit 3)" in capsys.readouterr().err
