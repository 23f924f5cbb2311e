"""CPU time of long-running process trees (a deployment's servers), read from Linux's
``/proc`` while they run.

A server's CPU cannot be read from ``getrusage`` by the benchmark: it is not the
benchmark's child that exits. Instead every live process is attributed to the tree it
belongs to (walking parent ids up to a known root), and each contributes its own
user + system time plus that of the children it has reaped (``cutime``/``cstime``). A
process that exits between two samples is then counted in its parent's reaped time, so
the difference of two samples is the CPU the tree used in between, short-lived task
processes included, as long as their parents reap them (Airflow's supervisors and
PostgreSQL's postmaster do).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class ProcStat:
    """One process's line of ``/proc/PID/stat``, times in seconds."""

    pid: int
    ppid: int
    own: float  # utime + stime
    reaped: float  # cutime + cstime: children it has waited for


def read_stat(pid: int) -> ProcStat | None:
    """The process's figures, or None when it is gone (or not readable)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or ")".
    fields = text[text.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state): ppid is field 4, utime..cstime fields 14-17.
    ppid = int(fields[1])
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return ProcStat(pid, ppid, (utime + stime) / TICKS, (cutime + cstime) / TICKS)


def all_stats() -> dict[int, ProcStat]:
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            stat = read_stat(int(name))
            if stat is not None:
                found[stat.pid] = stat
    return found


@dataclass(frozen=True)
class TreeCpu:
    """CPU seconds of one tree at one moment: its root's own time, and everything else
    (its descendants alive now and those already reaped)."""

    root: float
    below: float

    @property
    def total(self) -> float:
        return self.root + self.below


def sample(roots: Mapping[str, int]) -> dict[str, TreeCpu]:
    """CPU so far of each tree, by name; ``roots`` maps a name to its root's pid (a root
    that has exited counts zero)."""
    stats = all_stats()
    by_root = {pid: name for name, pid in roots.items()}
    own = dict.fromkeys(roots, 0.0)
    below = dict.fromkeys(roots, 0.0)
    for stat in stats.values():
        name = _tree_of(stat.pid, stats, by_root)
        if name is None:
            continue
        if stat.pid == roots[name]:
            own[name] += stat.own
            below[name] += stat.reaped
        else:
            below[name] += stat.own + stat.reaped
    return {name: TreeCpu(own[name], below[name]) for name in roots}


def _tree_of(pid: int, stats: Mapping[int, ProcStat], by_root: Mapping[int, str]) -> str | None:
    seen = 0
    while pid in stats and seen < 64:  # deep enough for any real tree; no loop forever
        if pid in by_root:
            return by_root[pid]
        pid = stats[pid].ppid
        seen += 1
    return by_root.get(pid)


def difference(before: Mapping[str, TreeCpu], after: Mapping[str, TreeCpu]) -> dict[str, TreeCpu]:
    return {
        name: TreeCpu(after[name].root - before[name].root, after[name].below - before[name].below)
        for name in after
        if name in before
    }
