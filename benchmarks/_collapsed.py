"""Summaries of sampled stacks in the collapsed format (``py-spy record --format raw``:
one line per distinct stack, ``frame;frame;...;leaf COUNT``), as text tables.

A sampling profiler can read a running server (the Airflow scheduler, its API server)
without restarting it under a profiler; the summary says where its samples were: by the
function a sample was in (own), and by every function on the stack (inclusive, each
function counted once per sample).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# "function (path/to/file.py:LINE)": the line number is dropped, so one function's
# samples at several lines add up.
_FRAME = re.compile(r"^(?P<name>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")
# With --subprocesses, each stack starts with the processes it runs in, outermost first:
# 'process PID:"COMMAND"'.
_PROCESS = re.compile(r'^process (?P<pid>\d+):"(?P<command>.*)"$')
#: A sample of a process that had no Python frame (starting up or exiting).
NATIVE = "(no Python frame: the interpreter starting or exiting)"


@dataclass(frozen=True)
class Samples:
    total: int
    own: Counter[str]
    inclusive: Counter[str]
    processes: Counter[str]  # by the innermost process: its depth and command's first words


def frame_name(frame: str) -> str:
    """``function (file)`` without the line number, the file shortened to what follows
    ``site-packages/``."""
    match = _FRAME.match(frame.strip())
    if match is None:
        return frame.strip()
    path = match["file"].split("site-packages/")[-1]
    return f"{match['name']} ({path})"


def read_collapsed(lines: Iterable[str]) -> Samples:
    total = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    processes: Counter[str] = Counter()
    for line in lines:
        stack, _, count_text = line.rstrip("\n").rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        parts = [f for f in stack.split(";") if f]
        chain = [m["command"] for m in map(_PROCESS.match, parts) if m]
        frames = [frame_name(f) for f in parts if not _PROCESS.match(f)]
        if not parts:
            continue
        total += count
        if chain:
            processes[process_label(len(chain) - 1, chain[-1])] += count
        own[frames[-1] if frames else NATIVE] += count
        for name in set(frames):
            inclusive[name] += count
    return Samples(total, own, inclusive, processes)


def process_label(depth: int, command: str) -> str:
    """``depth N: first words of the command`` (a task id or path in it dropped): the
    process a sample was in, by its place in the tree recorded."""
    words = command.split()
    keep = 3 if words[1:2] == ["-m"] else 2
    return f"depth {depth}: {' '.join(words[:keep])}"


def summary(title: str, samples: Samples, top: int = 12, packages: tuple[str, ...] = ()) -> str:
    """The top functions by own samples, then by inclusive samples below the trunk that
    every sample shares (the process's main loop and what calls it), only of functions
    in ``packages`` when given (e.g. ``("airflow/",)``: which of its steps the time is
    spent under, rather than the library frames every step goes through)."""
    lines = [f"{title}: {samples.total:,} samples"]
    branches = Counter(
        {
            name: n
            for name, n in samples.inclusive.items()
            if n < 0.99 * samples.total and (not packages or any(f"({p}" in name for p in packages))
        }
    )
    if samples.processes:
        lines.append("  by process (innermost; depth 0 is the process recorded):")
        for name, count in samples.processes.most_common(top):
            lines.append(f"    {100 * count / max(samples.total, 1):5.1f}%  {name}")
    for label, counts in (("own", samples.own), ("inclusive, below the trunk", branches)):
        lines.append(f"  by {label} samples:")
        for name, count in counts.most_common(top):
            lines.append(f"    {100 * count / max(samples.total, 1):5.1f}%  {name}")
    return "\n".join(lines) + "\n"
