"""What a ``@pypi`` step environment costs: resolving the lock, the first build, reuse.

    .venv/bin/python benchmarks/environments.py [--rounds 5]

A three-step flow (``start``: termcolor 2.4.0 + inflection 0.5.1 from ``@pypi_base``;
``other``: termcolor 2.3.0; ``end``: ``@pypi(disabled=True)``), so two environments.
Every figure is a median over ``--rounds``; "cold" means an empty uv cache
(``UV_CACHE_DIR``: the wheels come from PyPI), "warm" a uv cache that already holds them.

* ``flowc lock`` of the flow (uv resolves both environments against PyPI), cold and warm;
* building one environment (``flowc.runner.envs.ensure_environment``) into an empty
  environment cache, cold and warm, split into its phases: ``uv venv``, ``uv pip
  install`` from the hashed lock, and flowc's own work (the ``.pth``, the marker, the
  rename that publishes it);
* reusing a built environment (the same call when it is cached);
* whole ``flowc run --local`` processes of the flow: the first run (both environments
  built, warm uv cache), a run with both cached, and the same flow without ``@pypi`` (every
  step in flowc's interpreter), so the difference is what environments add to a run.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FLOWC = str(Path(sys.executable).with_name("flowc"))
sys.path.insert(0, str(REPO))

FLOW = """\
from metaflow import FlowSpec, pypi, pypi_base, step


@pypi_base(packages={"inflection": "0.5.1"})
class EnvBenchFlow(FlowSpec):
    @pypi(packages={"termcolor": "2.4.0"})
    @step
    def start(self):
        import inflection, termcolor  # noqa: F401
        self.next(self.other)

    @pypi(packages={"termcolor": "2.3.0"})
    @step
    def other(self):
        import termcolor  # noqa: F401
        self.next(self.end)

    @pypi(disabled=True)
    @step
    def end(self):
        pass
"""


Timed = tuple[float, float]  # wall seconds, CPU seconds of the child processes


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _row(label: str, samples: list[Timed]) -> str:
    walls = [w for w, _ in samples]
    cpus = [c for _, c in samples]
    wall = f"{statistics.median(walls) * 1000:.0f} ms"
    spread = f"{min(walls) * 1000:.0f}-{max(walls) * 1000:.0f}"
    cpu = f"{statistics.median(cpus) * 1000:.0f} ms" if any(cpus) else "—"
    return f"| {label} | {wall} | {spread} | {cpu} |"


@contextmanager
def _environ(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _flowc(cwd: Path, env: dict[str, str], *args: str) -> Timed:
    cpu = _children_cpu()
    began = time.perf_counter()
    done = subprocess.run(
        [FLOWC, *args], cwd=cwd, env=dict(os.environ, **env), capture_output=True, text=True
    )
    took = time.perf_counter() - began, _children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"flowc {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return took


def _phased_build(env: object, requirements: str, root: str) -> tuple[Timed, dict[str, Timed]]:
    """One build, timed as a whole and per uv command (the rest is flowc's own work)."""
    import flowc.runner.envs as envs
    import runtime_shim.environment as builder

    phases: dict[str, Timed] = {}
    original: Callable[[list[str]], None] = builder._run

    def timed(command: list[str]) -> None:
        cpu = _children_cpu()
        began = time.perf_counter()
        try:
            original(command)
        finally:
            name = "uv venv" if command[1] == "venv" else "uv pip install"
            phases[name] = (time.perf_counter() - began, _children_cpu() - cpu)

    builder._run = timed
    try:
        cpu = _children_cpu()
        began = time.perf_counter()
        envs.ensure_environment(env, requirements, root)  # type: ignore[arg-type]
        total = (time.perf_counter() - began, _children_cpu() - cpu)
    finally:
        builder._run = original
    rest = total[0] - sum(w for w, _ in phases.values())
    phases["flowc (pth, marker, rename)"] = (rest, 0.0)
    return total, phases


def _uv_summary(requirements: str, uv_cache: str, scratch: Path) -> list[str]:
    """uv's own account of one install (its ``Prepared``/``Installed`` lines), into a new
    venv, with the same flags as a build but not ``--quiet``."""
    from flowc.environments import uv_binary

    venv = scratch / "summary-venv"
    shutil.rmtree(venv, ignore_errors=True)
    env = dict(os.environ, UV_CACHE_DIR=uv_cache)
    env.pop("VIRTUAL_ENV", None)
    uv = uv_binary()
    subprocess.run(
        [uv, "venv", "--quiet", "--relocatable", "--python", sys.executable, str(venv)],
        env=env,
        check=True,
    )
    locked = scratch / "summary-requirements.txt"
    locked.write_text(requirements)
    done = subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--require-hashes",
            "--no-deps",
            "--python",
            str(venv / "bin" / "python"),
            "-r",
            str(locked),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line.strip() for line in done.stderr.splitlines() if " in " in line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from flowc.compiler import analyze_file
    from flowc.environments import group, lock_path, read_lock, step_environments
    from flowc.runner.envs import ensure_environment

    scratch = Path(tempfile.mkdtemp(prefix="flowc-env-bench-"))
    flow_dir = scratch / "flow"
    flow_dir.mkdir()
    flow = flow_dir / "envbench.py"
    flow.write_text(FLOW)
    plain_dir = scratch / "plain"
    plain_dir.mkdir()
    plain = FLOW.replace('@pypi_base(packages={"inflection": "0.5.1"})\n', "")
    plain = "\n".join(line for line in plain.splitlines() if "@pypi(" not in line)
    plain = plain.replace("import inflection, termcolor  # noqa: F401", "pass")
    (plain_dir / "plain.py").write_text(plain.replace("import termcolor  # noqa: F401", "pass"))
    warm_uv = str(scratch / "uv-warm")

    def fresh(name: str) -> str:
        path = scratch / name
        shutil.rmtree(path, ignore_errors=True)
        return str(path)

    lock_cold: list[Timed] = []
    lock_warm: list[Timed] = []
    for _ in range(args.rounds):
        Path(lock_path(str(flow))).unlink(missing_ok=True)
        lock_cold.append(_flowc(flow_dir, {"UV_CACHE_DIR": fresh("uv-cold")}, "lock", flow.name))
        lock_warm.append(
            _flowc(flow_dir, {"UV_CACHE_DIR": warm_uv}, "lock", flow.name, "--upgrade")
        )

    analysis = analyze_file(str(flow))
    assert analysis.ir is not None
    steps, _ = step_environments(analysis.ir)
    locked = read_lock(lock_path(str(flow)))
    assert locked is not None
    key, items = next(iter(group(steps).items()))
    env = items[0].environment
    requirements = str(locked[key]["requirements"])

    builds: dict[str, list[Timed]] = {"cold": [], "warm": []}
    phases: dict[str, dict[str, list[Timed]]] = {"cold": {}, "warm": {}}
    reuse: list[float] = []
    for _ in range(args.rounds):
        for kind in ("cold", "warm"):
            uv_cache = fresh("uv-cold") if kind == "cold" else warm_uv
            with _environ(UV_CACHE_DIR=uv_cache):
                total, split = _phased_build(env, requirements, fresh("envs"))
            builds[kind].append(total)
            for name, took in split.items():
                phases[kind].setdefault(name, []).append(took)
        began = time.perf_counter()
        ensure_environment(env, requirements, str(scratch / "envs"))
        reuse.append(time.perf_counter() - began)

    runs: dict[str, list[Timed]] = {"first": [], "cached": [], "plain": []}
    for _ in range(args.rounds):
        cache = fresh("run-envs")
        settings = {"FLOWC_ENV_CACHE": cache, "UV_CACHE_DIR": warm_uv}
        runs["first"].append(_flowc(flow_dir, settings, "run", "--local", flow.name))
        runs["cached"].append(_flowc(flow_dir, settings, "run", "--local", flow.name))
        runs["plain"].append(_flowc(plain_dir, settings, "run", "--local", "plain.py"))

    cold_summary = _uv_summary(requirements, fresh("uv-cold"), scratch)
    warm_summary = _uv_summary(requirements, warm_uv, scratch)

    load = os.getloadavg()[0]
    print(f"Python {platform.python_version()}, {args.rounds} rounds, load {load:.1f}")
    print(f"environment {key}: python {env.python}, {', '.join(env.requirements_in().split())}")
    print()
    print("| what | wall (median) | wall range (ms) | CPU of the processes (median) |")
    print("|---|---|---|---|")
    print(_row("`flowc lock`, 2 environments, cold uv cache", lock_cold))
    print(_row("`flowc lock --upgrade`, 2 environments, warm uv cache", lock_warm))
    for kind in ("cold", "warm"):
        print(_row(f"first build of one environment, {kind} uv cache", builds[kind]))
        for name, values in phases[kind].items():
            print(_row(f"— {name}", values))
    micro = statistics.median(reuse) * 1e6
    print(
        f"| reuse of a built environment | {micro:.0f} µs | "
        f"{min(reuse) * 1e6:.0f}-{max(reuse) * 1e6:.0f} µs | — |"
    )
    for name, label in (
        ("first", "`flowc run --local`, first run (builds 2 environments, warm uv cache)"),
        ("cached", "`flowc run --local`, both environments cached"),
        ("plain", "`flowc run --local`, the same flow without `@pypi`"),
    ):
        print(_row(label, runs[name]))
    print()
    print(f"uv pip install, cold uv cache: {'; '.join(cold_summary)}")
    print(f"uv pip install, warm uv cache: {'; '.join(warm_summary)}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
