"""The installed ``flowc`` console script is the click group (``flowc.cli:main``): it prints
the same bytes and exits with the documented codes as ``python -m flowc.cli``, its help
imports no command, and an exception that escapes a command is exit 3."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from tests.support.frontend import CASES, REPO, SHAPES, run_flowc

CONSOLE_SCRIPT = Path(sys.executable).with_name("flowc")

ERRORS = str((CASES / "diagnostics" / "unknown_target.py").relative_to(REPO))
WARNS = str((CASES / "diagnostics" / "foreach_var_unset.py").relative_to(REPO))
BRANCH = str((SHAPES / "branch.py").relative_to(REPO))
LINEAR = str((SHAPES / "linear.py").relative_to(REPO))


def _console(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FLOWC_REGEN"}
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *args], cwd=REPO, env=env, capture_output=True, text=True
    )


def test_console_script_is_the_click_group() -> None:
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "flowc"]
    assert script.value == "flowc.cli:main"
    assert CONSOLE_SCRIPT.exists(), "the flowc console script is not installed next to python"


# (arguments, documented exit code); "{tmp}" is a fresh directory. Run in order, the -o
# case writes the files that the --check case then finds current.
CASES_AND_CODES = [
    (["check", BRANCH], 0),
    (["check", WARNS, BRANCH], 0),
    (["check", ERRORS, WARNS, BRANCH], 1),
    (["check", "--format", "json", ERRORS, WARNS], 1),
    (["check", "--flow=BranchFlow", BRANCH, "missing.py"], 1),
    (["check", "missing.py"], 2),
    (["check", "--format", "yaml", BRANCH], 2),
    (["check"], 2),
    (["compile", BRANCH, "--target", "ir"], 0),
    (["compile", BRANCH, "-t", "argo", "--datastore", "s3://b/p", "--label", "team=ml"], 0),
    (["compile", BRANCH, "--target=argo", "--option", "kind=Workflow", "--image", "i:1"], 0),
    (["compile", BRANCH, "--target", "airflow", "--option=operator=local"], 0),
    (["compile", BRANCH, "--target", "stepfunctions"], 1),  # FC305: a local datastore
    (["compile", BRANCH, "--target", "stepfunctions", "--datastore", "s3://b/p"], 0),
    (["compile", ERRORS, WARNS, "--target", "argo", "--format", "json"], 1),
    (["compile", BRANCH, LINEAR, "--target", "ir"], 2),  # two files need -o DIR
    (["compile", BRANCH, LINEAR, "--target", "argo", "-o", "{tmp}/out"], 0),
    (["compile", BRANCH, LINEAR, "--target", "argo", "-o", "{tmp}/out", "--check"], 0),
    (["compile", BRANCH, "--target", "ir", "-o", "{tmp}/empty", "--check"], 1),
    (["compile", "missing.py", "--target", "ir"], 2),
    (["compile", BRANCH, "--target", "nope"], 2),
    (["compile", BRANCH, "--target", "ir", "--check"], 2),
    (["compile", BRANCH, "--target", "ir", "--label", "no-equals"], 2),
    (["compile", BRANCH], 2),
]


@pytest.mark.parametrize("args, code", CASES_AND_CODES)
def test_console_script_matches_module_and_documented_codes(
    args: list[str], code: int, tmp_path: Path
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--check" in args and f"{tmp_path}/out" in args:
        assert run_flowc(*[a for a in args if a != "--check"]).returncode == 0
    script, module = _console(args), run_flowc(*args)
    assert script.returncode == code, script.stderr
    assert (script.returncode, script.stdout, script.stderr) == (
        module.returncode,
        module.stdout,
        module.stderr,
    )
    assert "Traceback" not in script.stderr


def test_help_imports_no_command() -> None:
    probe = (
        "import sys\n"
        "from flowc.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as stop:\n"
        "    assert stop.code == 0, stop.code\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('backends', 'yaml', 'hera')\n"
        "          or m.startswith(('flowc.commands', 'flowc.compiler'))]\n"
        "print(sorted(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("Usage: flowc")
    assert done.stdout.endswith("\n[]\n")


def test_exception_escaping_a_command_is_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import flowc.commands._common as common
    from flowc.cli import main

    def broken(*args: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(common, "analyze_arguments", broken)
    with pytest.raises(SystemExit) as stop:
        main(["check", "x.py"])
    assert stop.value.code == 3
    assert "internal error: RuntimeError('boom') (exit 3)" in capsys.readouterr().err
