"""Where a ``flowc compile`` process spends its time: imports, then the top of a cProfile.

    .venv/bin/python benchmarks/startup_profile.py [--runs 9] [--target argo] [FLOW]

Imports: ``python -X importtime`` of the console script, ``--runs`` times; each module's
own import time is the minimum over the runs (the least disturbed by other jobs), summed
under the import the process made at top level (a module imported inside a function, such
as ``yaml`` when the first manifest is written, is a top-level entry of its own). Then one
run under cProfile: the work after the imports, flowc's, click's and PyYAML's functions by
cumulative time. Prints Markdown.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FLOWC = str(Path(sys.executable).with_name("flowc"))
DATASTORE = "s3://flowc-bench/flows"


def import_times(command: list[str], runs: int, cwd: str) -> list[tuple[str, float]]:
    """(top-level import, ms) by cost, and the total as the last entry."""
    best: dict[str, int] = {}
    order: list[tuple[str, int]] = []
    for _ in range(runs):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", *command],
            capture_output=True,
            text=True,
            cwd=cwd,
            check=True,
        ).stderr
        for line in err.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, _, name = line.removeprefix("import time:").split("|")
            key, depth = name.strip(), (len(name) - len(name.lstrip()) - 1) // 2
            if key not in best:
                order.append((key, depth))
                best[key] = int(own)
            best[key] = min(best[key], int(own))
    groups: dict[str, int] = {}
    pending: list[str] = []
    for key, depth in order:  # importtime prints a module's imports before the module
        pending.append(key)
        if depth == 0:
            groups[key] = groups.get(key, 0) + sum(best[k] for k in pending)
            pending = []
    ranked = sorted(((k, v / 1000) for k, v in groups.items()), key=lambda kv: -kv[1])
    return [*ranked, ("all imports", sum(best.values()) / 1000)]


def profile_top(command: list[str], cwd: str, count: int) -> str:
    """One run of the console script in this interpreter under cProfile."""
    profiler = cProfile.Profile()
    sys.argv = command
    here = os.getcwd()
    os.chdir(cwd)
    try:
        code = compile(Path(command[0]).read_text(), command[0], "exec")
        profiler.enable()
        with contextlib.suppress(SystemExit):  # the script ends with sys.exit(main())
            exec(code, {"__name__": "__main__"})
        profiler.disable()
    finally:
        os.chdir(here)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"(flowc|backends|click|yaml)/(?!.*<module>)", count)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("flow", nargs="?", default=str(REPO / "tests" / "shapes" / "linear.py"))
    parser.add_argument("--target", default="argo")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="flowc-profile-") as tmp:
        command = [FLOWC, "compile", args.flow, "--target", args.target]
        command += ["--datastore", DATASTORE, "-o", str(Path(tmp) / "out")]
        print(f"Imports of `flowc compile FLOW --target {args.target}` (min of {args.runs}):\n")
        print("| top-level import | ms |\n|---|---:|")
        for name, ms in import_times(command, args.runs, tmp):
            print(f"| `{name}` | {ms:.1f} |")
        print("\ncProfile, by cumulative time (flowc, click, PyYAML functions):\n\n```")
        print(profile_top(command, tmp, args.top).strip())
        print("```")


if __name__ == "__main__":
    main()
