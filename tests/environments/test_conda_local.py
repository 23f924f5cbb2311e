"""@conda/@conda_base in a local run: refused at the decorator, never silently dropped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FLOWC = os.path.join(os.path.dirname(sys.executable), "flowc")

FLOW = """\
from metaflow import FlowSpec, conda, step


class CondaFlow(FlowSpec):
    @conda(packages={"numpy": "2.1.3"})
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def test_a_conda_step_is_refused_at_its_decorator(tmp_path: Path) -> None:
    (tmp_path / "condaflow.py").write_text(FLOW)
    for command in (["run", "--local", "condaflow.py"], ["lock", "condaflow.py"]):
        done = subprocess.run(
            [FLOWC, *command], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert done.returncode == 1, done.stderr
        assert "condaflow.py:5:" in done.stderr and "FC308" in done.stderr
        assert "@conda" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / ".flowc").exists()
