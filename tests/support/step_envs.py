"""The per-step environments flow (tests/environments/flows/step_envs.py), locked once per
session, and what each of its steps must see on every target."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from flowc.compiler import analyze_file
from flowc.environments import environment_diagnostics, locked_addresses
from flowc.ir import FlowIR

SOURCE = Path(__file__).resolve().parents[1] / "environments" / "flows" / "step_envs.py"
FLOW = "StepEnvsFlow"
# The packages are in neither flowc's environment nor Airflow's: a step sees one only
# through its own locked environment.
EXPECTED = {
    "start": {"termcolor": "2.4.0", "inflection": None},
    "middle": {"termcolor": None, "inflection": "0.5.0"},
    "end": {"termcolor": None, "inflection": None},
}
ARTIFACTS = {"start": {"colored": "\x1b[32mok\x1b[0m"}, "middle": {"word": "StepEnvs"}}


def locked_flow(directory: Path) -> Path:
    """A copy of the flow in ``directory`` with its lock beside it (``flowc lock``)."""
    directory.mkdir(parents=True, exist_ok=True)
    flow = directory / SOURCE.name
    shutil.copy(SOURCE, flow)
    done = subprocess.run(
        [sys.executable, "-m", "flowc.cli", "lock", str(flow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return flow


def load(flow: Path) -> FlowIR:
    analysis = analyze_file(str(flow))
    assert analysis.ir is not None, analysis.diagnostics
    return analysis.ir


def addresses(ir: FlowIR, flow: Path) -> dict[str, str]:
    """The locked environments the spec names (``TargetOptions.environments``), as
    ``flowc compile`` fills them."""
    assert not environment_diagnostics(ir, str(flow))
    found = locked_addresses(ir, str(flow))
    assert set(found) == {"start", "middle"}
    return found


def built(cache: Path) -> list[str]:
    """The environments a cache holds (complete ones; builds and links are hidden)."""
    return sorted(p for p in os.listdir(cache) if not p.startswith("."))
