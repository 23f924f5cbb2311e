"""The Argo target through the command line, and the files around it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.argo import REPO, shape_path
from tests.support.runs import FLOWC


def test_compile_writes_and_checks(tmp_path: Path) -> None:
    cmd = [
        FLOWC,
        "compile",
        shape_path("foreach"),
        "--target",
        "argo",
        "-o",
        str(tmp_path),
        "--option",
        "kind=Workflow",
        "--label",
        "team=ml",
    ]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    [written] = list(tmp_path.iterdir())
    assert written.name == "foreach-flow.workflow.yaml"
    assert "team: ml" in written.read_text()
    check = subprocess.run([*cmd, "--check"], cwd=REPO, capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    written.write_text(written.read_text() + "# edited\n")
    stale = subprocess.run([*cmd, "--check"], cwd=REPO, capture_output=True, text=True, check=False)
    assert stale.returncode == 1


def test_cron_without_schedule_is_a_user_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            FLOWC,
            "compile",
            shape_path("linear"),
            "--target",
            "argo",
            "--option",
            "kind=CronWorkflow",
            "--format",
            "json",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "FC305" in done.stdout + done.stderr


def test_encode_helper() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "backends.argo", "encode", "who=a {{b}} $(c)", "n=3"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == r"""-p 'who="a \u007b\u007bb\u007d\u007d \u0024(c)"' -p n=3"""
    assert json.loads(r'"a \u007b\u007bb\u007d\u007d \u0024(c)"') == "a {{b}} $(c)"


def test_schema_is_current() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "argo_schema_generate", REPO / "schemas" / "argo" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    current = (REPO / "schemas" / "argo" / "argo.schema.json").read_text(encoding="utf-8")
    assert generate.render() == current, "run .venv/bin/python schemas/argo/generate.py"
