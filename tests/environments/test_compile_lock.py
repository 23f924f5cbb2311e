"""``flowc compile`` (and ``compile --check``) stops at a stale lock with FC211.

The lock is written here rather than by ``flowc lock`` (which needs PyPI): the compiler
only compares the environments' keys with the lock's, whatever the requirements say.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flowc.compiler import analyze_file
from flowc.environments import lock_entry, lock_path, render_lock, step_environments

FLOWC = os.path.join(os.path.dirname(sys.executable), "flowc")

FLOW = """\
from metaflow import FlowSpec, pypi, step


class LockedFlow(FlowSpec):
    @pypi(packages={"six": "VERSION"})
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def _write(tmp_path: Path, version: str) -> str:
    flow = tmp_path / "lockedflow.py"
    flow.write_text(FLOW.replace("VERSION", version))
    return str(flow)


def _lock(flow: str) -> None:
    analysis = analyze_file(flow)
    assert analysis.ir is not None
    steps, problems = step_environments(analysis.ir)
    assert problems == [] and [s.step for s in steps] == ["start"]
    env = steps[0].environment
    entries = {env.key: lock_entry(env, "six==1.16.0 \\\n    --hash=sha256:00\n")}
    Path(lock_path(flow)).write_text(render_lock(entries))


def _compile(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLOWC, "compile", "lockedflow.py", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


def test_compile_check_fails_on_a_stale_lock(tmp_path: Path) -> None:
    flow = _write(tmp_path, "1.16.0")
    unlocked = _compile(tmp_path, "--target", "ir", "-o", "out")
    assert unlocked.returncode == 1
    assert "lockedflow.py:5:" in unlocked.stderr and "FC211" in unlocked.stderr
    assert "there is no lock file" in unlocked.stderr and not (tmp_path / "out").exists()
    _lock(flow)
    assert _compile(tmp_path, "--target", "ir", "-o", "out").returncode == 0
    current = _compile(tmp_path, "--target", "ir", "-o", "out", "--check")
    assert current.returncode == 0, current.stderr
    # Changing the step's @pypi leaves its environment out of the lock: --check notices
    # it even though the emitted IR would also differ, and names the step and the file.
    _write(tmp_path, "1.17.0")
    stale = _compile(tmp_path, "--target", "ir", "-o", "out", "--check")
    assert stale.returncode == 1
    assert "lockedflow.py:5:" in stale.stderr and "FC211" in stale.stderr
    assert "step 'start'" in stale.stderr and "lockedflow.flowc-lock.json" in stale.stderr
    assert "flowc lock lockedflow.py" in stale.stderr
    assert "stale: " not in stale.stderr  # the diagnostics stop it before the comparison


def test_every_target_reports_the_stale_lock(tmp_path: Path) -> None:
    _lock(_write(tmp_path, "1.16.0"))
    _write(tmp_path, "1.17.0")
    for target in ("argo", "airflow", "stepfunctions"):
        done = _compile(tmp_path, "--target", target, "-o", "out", "--check")
        assert done.returncode == 1, (target, done.stderr)
        assert "FC211" in done.stderr and "step 'start'" in done.stderr, (target, done.stderr)
