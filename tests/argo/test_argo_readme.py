"""The README's example manifest is what flowc emits today, and it is a valid Argo manifest;
the README's first command runs its flowc steps without a warning.

Regenerate the README block after an intended change with
``FLOWC_REGEN=1 .venv/bin/python -m pytest tests/argo/test_argo_readme.py``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.support.argo import REPO
from tests.support.golden import regenerating
from tests.support.runs import FLOWC

README = REPO / "README.md"
COMMAND = re.compile(r"```bash\n(flowc compile examples/train\.py --target argo [^\n]*)\n```")
SETUP = re.compile(r"## Set-up.*?```bash\n(.*?)\n```", re.S)
BLOCK = re.compile(
    r"(<!-- argo-example:begin -->\n```yaml\n)(.*?)(```\n<!-- argo-example:end -->)", re.S
)


def _emitted(command: str) -> str:
    args = command.split()[1:]
    out = args.index("-o")
    del args[out : out + 2]  # print to stdout instead of writing deploy/
    done = subprocess.run([FLOWC, *args], cwd=REPO, capture_output=True, text=True, check=True)
    return done.stdout


def test_readme_example_manifest_is_current_and_valid(argo_schema_validator: Any) -> None:
    from hera.workflows import models

    text = README.read_text(encoding="utf-8")
    command = COMMAND.search(text)
    block = BLOCK.search(text)
    assert command and block, "README lost its Argo example section"
    emitted = _emitted(command.group(1))
    if regenerating():
        text = text[: block.start(2)] + emitted + text[block.end(2) :]
        README.write_text(text, encoding="utf-8")
        block = BLOCK.search(text)
        assert block
    assert block.group(2) == emitted, "README example is stale; see this module's docstring"
    doc = yaml.safe_load(emitted)
    assert [e.message[:300] for e in argo_schema_validator.iter_errors(doc)] == []
    models.WorkflowTemplate.model_validate(doc)
    assert doc["spec"]["templates"][0]["dag"]["tasks"][1]["withSequence"]


def test_readme_first_command_runs_without_warnings(tmp_path: Path) -> None:
    """Each ``.venv/bin/flowc`` step of the set-up command, in a copy of what it reads (the
    example flows, and the project configuration a ``[tool.flowc]`` table would be in)."""
    setup = SETUP.search(README.read_text(encoding="utf-8"))
    assert setup, "README lost its set-up command"
    steps = [shlex.split(part) for part in setup.group(1).split("&&")]
    flowc_steps = [step for step in steps if step[0] == ".venv/bin/flowc"]
    assert [step[1] for step in flowc_steps] == ["check", "compile", "run"]
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWC_")}
    for step in flowc_steps:
        done = subprocess.run(
            [FLOWC, *step[1:]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, (step, done.stderr)
        warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
        assert warnings == [], (step, warnings)
    assert list((tmp_path / "deploy").iterdir()) == [
        tmp_path / "deploy" / "train-flow.workflowtemplate.yaml"
    ]
