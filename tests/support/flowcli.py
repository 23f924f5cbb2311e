"""Helpers of the flow-file command-line tests: a scratch directory with a flow in it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass

# A flow that exercises what the verbs read: a Parameter, a foreach, both log streams,
# a private artifact, and a step that fails on demand (FAIL_STEP) or on its first
# attempt only (FLAKY_STEP).
FLOW = textwrap.dedent(
    '''
    import os
    import sys

    from metaflow import FlowSpec, Parameter, current, get_namespace, step


    class CliFlow(FlowSpec):
        """A flow for the command-line tests."""

        alpha = Parameter("alpha", default=1, type=int, help="a number")

        @step
        def start(self):
            self.items = list(range(int(os.environ.get("WIDTH", "3"))))
            self._hidden = "private"
            self.branch_seen = os.environ.get("METAFLOW_BRANCH")
            self.namespace_seen = get_namespace()
            print("start says", self.alpha)
            print("start complains", file=sys.stderr)
            self.next(self.work, foreach="items")

        @step
        def work(self):
            if os.environ.get("FLAKY_STEP") == "work" and current.retry_count == 0:
                raise RuntimeError("first attempt fails")
            if os.environ.get("FAIL_STEP") == "work":
                raise RuntimeError("work fails on purpose")
            self.square = self.input * self.input
            self.next(self.join)

        @step
        def join(self, inputs):
            self.total = sum(i.square for i in inputs)
            self.next(self.end)

        @step
        def end(self):
            self.result = self.total * self.alpha


    if __name__ == "__main__":
        CliFlow()
    '''
)

# The top-level and run options Metaflow's own test runner passes.
TOP_OPTIONS = [
    "--metadata=local",
    "--datastore=local",
    "--environment=local",
    "--event-logger=nullSidecarLogger",
    "--no-pylint",
    "--quiet",
]


@dataclass
class FlowDir:
    path: str
    flow: str
    datastore: str

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("FAIL_STEP", "FLAKY_STEP")}
        return {**env, "FLOWC_DATASTORE": self.datastore, **extra}

    def python(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """``python flow.py ARGS`` in the directory."""
        return subprocess.run(
            [sys.executable, self.flow, *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            env=self.env(**env),
            check=False,
        )

    def flowc(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flowc.cli", *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            env=self.env(**env),
            check=False,
        )

    def run(self, *args: str, **env: str) -> str:
        """A successful ``run`` with Metaflow's options; returns the run id."""
        done = self.python(*TOP_OPTIONS, "run", "--run-id-file", "run-id", *args, **env)
        assert done.returncode == 0, done.stderr
        return self.read("run-id")

    def read(self, name: str) -> str:
        with open(os.path.join(self.path, name), encoding="utf-8") as f:
            return f.read()


def make_flowdir(path: str) -> FlowDir:
    flow = os.path.join(path, "cli_flow.py")
    with open(flow, "w", encoding="utf-8") as f:
        f.write(FLOW)
    return FlowDir(path, flow, os.path.join(path, ".flowc"))


def assert_user_error(done: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    """A clear message with exit ``code``, never a traceback."""
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
