"""Timing fresh processes of two tools fairly on a machine other jobs share.

Each round runs every command once, and the order alternates from round to round, so a
burst of load from elsewhere lands on both tools instead of on whichever ran its runs
second. Medians of wall time and of CPU time (user + system of the process and its
children) are reported; CPU time is the fairer figure when the cores are shared, since it
does not grow while a process waits for one.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Command:
    argv: list[str]
    cwd: Path
    env: dict[str, str] | None = None
    timeout: float = 900.0
    runs: int | None = None  # fewer runs than the others (a slow deploy); None: all


@dataclass
class Sample:
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    last: subprocess.CompletedProcess[str] | None = None
    error: str = ""  # the last line of a failed run's output; runs stop at the first failure

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.walls)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_once(command: Command, sample: Sample) -> None:
    cpu_before = _children_cpu()
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command.argv,
            cwd=command.cwd,
            env=command.env,
            capture_output=True,
            text=True,
            timeout=command.timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        sample.error = f"did not finish in {command.timeout:.0f} s"
        return
    wall = time.perf_counter() - start
    sample.last = done
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["(no output)"]
        sample.error = lines[-1][:200]
        return
    sample.walls.append(wall)
    sample.cpus.append(_children_cpu() - cpu_before)


def interleaved(commands: Sequence[Command], runs: int) -> list[Sample]:
    """``runs`` rounds; in each, every command still going runs once (order alternating)."""
    samples = [Sample() for _ in commands]
    for round_number in range(runs):
        order = list(range(len(commands)))
        if round_number % 2:
            order.reverse()
        for i in order:
            limit = commands[i].runs if commands[i].runs is not None else runs
            if not samples[i].error and len(samples[i].walls) < limit:
                _run_once(commands[i], samples[i])
    return samples


def record_metaflow(row: Any, sample: Sample) -> None:
    """Metaflow's figures on a report row with the fields ``metaflow_cli``, ``metaflow_cpu``,
    ``metaflow_bytes`` (of the JSON document it printed) and ``metaflow_error``."""
    if not sample.ok or sample.last is None:
        row.metaflow_error = sample.error
        return
    row.metaflow_cli, row.metaflow_cpu = sample.wall, sample.cpu
    printed = sample.last.stdout
    row.metaflow_bytes = len(printed[max(printed.find("{"), 0) :].encode())


def conditions() -> str:
    """One line on the machine the figures were measured on, for the report."""
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} cores shared with other jobs (load average {load[0]:.1f} / "
        f"{load[1]:.1f} / {load[2]:.1f} at the end); flowc and Metaflow runs interleaved"
    )
