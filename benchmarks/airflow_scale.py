"""Benchmark: a foreach of trivial tasks N wide as Airflow mapped tasks on a real Airflow 3
deployment, beside ``flowc run --local`` of the same flow.

    .venv/bin/python benchmarks/airflow_scale.py --widths 50 200 1024
    .venv/bin/python benchmarks/airflow_scale.py --widths 1100 --max-map-length 1100
    .venv/bin/python benchmarks/airflow_scale.py --widths 50 --parallelism 8 --report -

The deployment is ``tools/airflow_stack.py``'s: PostgreSQL, the API server, the scheduler
with the LocalExecutor and the DAG processor, every component a process of its own. Each
width's flow (``benchmarks/scale_flows.py``: start → N trivial ``work`` tasks → join →
end) is compiled with ``operator=local`` against a local datastore, deployed through
``AirflowTarget`` (the DAG file written, parsed, unpaused), triggered, and waited for.
Reported per width: the run's wall time, the mapped tasks' timeline from Airflow's own
stamps (``_airflow_timeline.py``), the CPU every component used during the run
(``_proc_cpu.py``), that every mapped task succeeded and that the committed artifacts of
every task equal those of a ``flowc run --local`` of the same flow, and what the shim
alone costs per task (the work step's exact command, run by hand ``--shim-samples``
times).

The machine's other jobs are not stopped: every figure carries the load average, and
``--cpu-budget`` skips a width whose CPU, estimated from the widths before it, would pass
what is left (it says so in the report).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks._airflow_timeline import (  # noqa: E402
    PHASES,
    MappedTimeline,
    log_phases,
    mapped_timeline,
    median_phases,
    parse_time,
    stamps,
)
from benchmarks._proc_cpu import TreeCpu, difference, read_stat, sample  # noqa: E402
from benchmarks.scale_flows import wide_foreach  # noqa: E402

DEFAULT_MAX_MAP_LENGTH = 1024
#: The Airflow processes whose CPU is read, then PostgreSQL's.
SERVERS = ("scheduler", "api-server", "dag-processor", "postgres")


def _tool(name: str) -> ModuleType:
    """A module of tools/ (stand-alone scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"flowc_{name}", ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _load() -> tuple[float, float, float]:
    return os.getloadavg()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Settings:
    """What the deployment is started with: the settings a deployment tunes for width."""

    parallelism: int
    max_active_tasks: int
    max_map_length: int

    def env(self) -> dict[str, str]:
        return {
            "AIRFLOW__CORE__PARALLELISM": str(self.parallelism),
            "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": str(self.max_active_tasks),
            "AIRFLOW__CORE__MAX_MAP_LENGTH": str(self.max_map_length),
        }


@dataclass
class LocalRun:
    wall: float
    cpu: float
    run_id: str


@dataclass
class ShimTiming:
    """The work step's command run by hand: wall and CPU per task, medians."""

    wall: float
    cpu: float
    samples: int


@dataclass
class WidthResult:
    width: int
    compile_s: float = 0.0
    deploy_s: float = 0.0
    state: str = ""
    wall: float = 0.0  # trigger → the run seen finished
    run_wall: float = 0.0  # the run's own start_date → end_date
    timeline: MappedTimeline | None = None
    other_states: dict[str, str] = field(default_factory=dict)
    cpu: dict[str, TreeCpu] = field(default_factory=dict)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    local: LocalRun | None = None
    shim: ShimTiming | None = None
    phases: dict[str, float] = field(default_factory=dict)  # medians over the task logs
    logs_read: int = 0
    artifacts_equal: bool | None = None
    join_items: int | None = None
    skipped: str = ""

    @property
    def tasks(self) -> int:
        return self.width + 3

    @property
    def cpu_total(self) -> float:
        return sum(t.total for t in self.cpu.values())


def start_stack(scratch: Path, settings: Settings) -> Any:
    """The deployment; its workers run the shim with this interpreter (first on PATH, as
    on a worker image with flowc installed)."""
    tool = _tool("airflow_stack")
    worker_env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        **settings.env(),
    }
    return tool.start_airflow(str(scratch / "airflow"), extra_env=worker_env, timeout=300)


def server_roots(stack: Any) -> dict[str, int]:
    roots = {name: process.pid for name, process in stack.processes.items()}
    pid_file = Path(stack.postgres.data_dir) / "postmaster.pid"
    roots["postgres"] = int(pid_file.read_text().split()[0])
    return roots


def _target(stack: Any) -> Any:
    from flowc.deploy._airflow_api import AirflowApi
    from flowc.deploy.airflow import AirflowTarget

    env = stack.client_env()
    api = AirflowApi(
        base_url=env["AIRFLOW_API_URL"],
        username=env["AIRFLOW_USERNAME"],
        password=env["AIRFLOW_PASSWORD"],
        timeout=60.0,
    )
    return AirflowTarget(api, env["FLOWC_AIRFLOW_DAGS_FOLDER"], parse_timeout=180.0)


@dataclass
class Profiler:
    """py-spy sampling the scheduler, the API server and one executor worker (with the
    task processes it forks) for ``seconds``, from ``after`` seconds into a run; the
    collapsed stacks go to ``folder``."""

    py_spy: str
    seconds: float
    after: float
    folder: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, stack: Any) -> None:
        scheduler = stack.processes["scheduler"].pid
        pids = {"scheduler": scheduler, "api-server": stack.processes["api-server"].pid}
        worker = _executor_worker(scheduler)
        if worker is not None:
            pids["executor worker and its task processes"] = worker
        for name, pid in pids.items():
            argv = [self.py_spy, "record", "--pid", str(pid), "--duration", str(int(self.seconds))]
            argv += ["--rate", "50", "--nonblocking", "--format", "raw", "-o", self.output(name)]
            if name.startswith("executor"):
                argv.append("--subprocesses")
            self.processes[name] = subprocess.Popen(
                argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )

    def output(self, name: str) -> str:
        return str(self.folder / f"py-spy-{name.split()[0]}.txt")

    def finish(self) -> str:
        """The summary of every recording (waits for py-spy to write them)."""
        from benchmarks._collapsed import read_collapsed, summary

        parts = []
        for name, process in self.processes.items():
            process.wait(timeout=self.seconds + 120)
            try:
                with open(self.output(name), encoding="utf-8") as handle:
                    samples = read_collapsed(handle)
            except OSError:
                parts.append(f"{name}: no samples (py-spy exited {process.returncode})\n")
                continue
            parts.append(summary(name, samples, packages=("airflow/", "runtime_shim/")))
        return "\n".join(parts)


def _executor_worker(scheduler: int) -> int | None:
    """A LocalExecutor worker: a child of the scheduler named so by its process title."""
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as handle:
                title = handle.read().decode(errors="replace")
            stat = read_stat(int(name))
        except OSError:
            continue
        if stat is not None and stat.ppid == scheduler and "LocalExecutor" in title:
            return int(name)
    return None


def run_on_airflow(
    stack: Any,
    flow: Path,
    datastore: Path,
    settings: Settings,
    result: WidthResult,
    profiler: Profiler | None = None,
) -> tuple[Any, str]:
    """Compile, deploy, trigger and wait; fills ``result``. Returns the compiled deployment
    and the run id."""
    from flowc.deploy._compiled import compile_for_deploy

    began = time.perf_counter()
    options = {"operator": "local", "max_map_length": str(settings.max_map_length)}
    compiled = compile_for_deploy(
        str(flow), "airflow", datastore_root=str(datastore), target_options=options
    )
    result.compile_s = time.perf_counter() - began
    target = _target(stack)
    began = time.perf_counter()
    target.deploy(compiled)
    result.deploy_s = time.perf_counter() - began

    roots = server_roots(stack)
    result.load_before = _load()
    cpu_before = sample(roots)
    began = time.perf_counter()
    ref = target.trigger(compiled.deployed_name, {})
    run_path = f"/api/v2/dags/{ref.deployed_name}/dagRuns/{ref.run_id}"
    deadline = began + max(600.0, 4.0 * result.width)
    run: dict[str, Any] = {}
    while time.perf_counter() < deadline:
        if profiler and not profiler.processes and time.perf_counter() > began + profiler.after:
            profiler.start(stack)
        run = target.api.get(run_path)
        if run.get("state") in ("success", "failed"):
            break
        time.sleep(2.0)
    result.wall = time.perf_counter() - began
    cpu_after = sample(roots)
    result.load_after = _load()
    result.cpu = difference(cpu_before, cpu_after)
    result.state = str(run.get("state"))
    start, end = parse_time(run.get("start_date")), parse_time(run.get("end_date"))
    result.run_wall = (end - start) if start and end else 0.0
    raw = list(target.api.pages(f"{run_path}/taskInstances", "task_instances"))
    (datastore.parent / f"task-instances-{result.width}.json").write_text(json.dumps(raw))
    instances = [stamps(i) for i in raw]
    result.timeline = mapped_timeline(instances, "work")
    result.other_states = {s.task_id: s.state for s in instances if s.task_id != "work"}
    logs = Path(stack.home, "logs", f"dag_id={ref.deployed_name}", f"run_id={ref.run_id}")
    found = []
    for log in sorted(logs.glob("task_id=work/map_index=*/attempt=1.log")):
        with open(log, encoding="utf-8") as handle:
            phases = log_phases(handle)
        if phases is not None:
            found.append(phases)
    result.phases, result.logs_read = median_phases(found), len(found)
    return compiled, ref.run_id


def run_local(flow: Path, datastore: Path) -> LocalRun:
    """``flowc run --local`` of the same flow (default workers), timed as a fresh process."""
    argv = [sys.executable, "-m", "flowc.cli", "run", "--local", str(flow), "-q"]
    cpu = _children_cpu()
    began = time.perf_counter()
    done = subprocess.run(
        [*argv, "--datastore", str(datastore)], cwd=ROOT, capture_output=True, text=True
    )
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"flowc run failed:\n{done.stdout}\n{done.stderr}")
    return LocalRun(wall, _children_cpu() - cpu, done.stdout.strip().splitlines()[-1])


def snapshot(flow: str, run_id: str, root: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """{step: {task: {artifact: value}}} of every committed task, through the client."""
    from flowc.client import Run

    run = Run(f"{flow}/{run_id}", datastore=str(root))
    return {step.id: {task.id: {a.id: a.data for a in task} for task in step} for step in run}


def dag_constants(dag_source: str) -> dict[str, Any]:
    """The DAG file's literal module constants (``STEP_COMMANDS``, ``STEP_SLOTS``)."""
    found = {}
    for node in ast.parse(dag_source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            name = node.targets[0]
            if isinstance(name, ast.Name) and name.id.isupper():
                try:
                    found[name.id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    return found


def render(argv: list[str], slots: dict[str, int], run_id: str, **values: str) -> list[str]:
    """A step's command as the DAG's task renders it on its first attempt."""
    command = [
        part.replace("{{ run_id }}", run_id).replace("{{ ti.try_number - 1 }}", "0")
        for part in argv
    ]
    for name, position in slots.items():
        command[position] = values[name]
    return command


def time_shim(dag_source: str, env: dict[str, str], samples: int) -> ShimTiming:
    """The shim's own cost per mapped task: the DAG's start command once, then its work
    command for ``samples`` items, each a fresh process as the Airflow task starts it."""
    constants = dag_constants(dag_source)
    commands, slots = constants["STEP_COMMANDS"], constants["STEP_SLOTS"]
    run_id = f"shim-timing-{os.getpid()}-{time.time_ns()}"
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "foreach")
        start = render(commands["start"], slots.get("start", {}), run_id, output=out)
        subprocess.run(start, env=env, capture_output=True, check=True)
        with open(out, encoding="utf-8") as handle:
            paths = json.load(handle)[:samples]
    walls, cpus = [], []
    for path in paths:
        work = render(commands["work"], slots.get("work", {}), run_id, index_path=path)
        cpu = _children_cpu()
        began = time.perf_counter()
        subprocess.run(work, env=env, capture_output=True, check=True)
        walls.append(time.perf_counter() - began)
        cpus.append(_children_cpu() - cpu)
    return ShimTiming(statistics.median(walls), statistics.median(cpus), len(walls))


def measure_width(
    stack: Any,
    scratch: Path,
    width: int,
    settings: Settings,
    shim_samples: int,
    profiler: Profiler | None = None,
) -> WidthResult:
    result = WidthResult(width)
    flows = scratch / "flows"
    flows.mkdir(exist_ok=True)
    flow = flows / f"foreach_{width}.py"
    flow.write_text(wide_foreach(width))
    datastore = scratch / "ds-airflow"
    compiled, run_id = run_on_airflow(stack, flow, datastore, settings, result, profiler)
    print(f"width {width}: {result.state} in {result.wall:.1f} s", flush=True)
    local_root = scratch / f"ds-local-{width}"
    result.local = run_local(flow, local_root)
    if result.state == "success":
        deployed = snapshot(compiled.flow_name, run_id, datastore)
        local = snapshot(compiled.flow_name, result.local.run_id, local_root)
        result.artifacts_equal = deployed == local
        result.join_items = len(deployed.get("work", {}))
        (end,) = deployed["end"].values()
        if end.get("total") != sum(i * i for i in range(width)):
            result.artifacts_equal = False
    shutil.rmtree(local_root, ignore_errors=True)
    (dag_file,) = [f for f in compiled.files if f.path.endswith(".py")]
    shim_env = {k: v for k, v in stack.env.items() if not k.startswith("AIRFLOW")}
    result.shim = time_shim(dag_file.content, shim_env, shim_samples)
    return result


def _load_text(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{v:.1f}" for v in load)


def report(results: list[WidthResult], settings: Settings, started_in: float) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        "# Airflow mapped tasks at width: a foreach of trivial tasks on a real Airflow 3",
        "",
        f"Measured by `benchmarks/airflow_scale.py` on {when}, {os.cpu_count()} cores shared "
        "with other jobs; Airflow 3 (api-server, scheduler with the LocalExecutor, "
        f"dag-processor) on PostgreSQL, started in {started_in:.0f} s, with "
        f"`AIRFLOW__CORE__PARALLELISM={settings.parallelism}`, "
        f"`AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG={settings.max_active_tasks}`, "
        f"`AIRFLOW__CORE__MAX_MAP_LENGTH={settings.max_map_length}` (compiled with "
        f"`--option max_map_length={settings.max_map_length}`); local datastore.",
        "",
        "| width | run | mapped tasks succeeded | wall, trigger → done | per mapped task "
        "| TI running, median | queued → running, median | scheduled → queued, median "
        "| `flowc run --local` wall | artifacts equal to the local run | load before → after |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        if r.skipped:
            lines.append(f"| {r.width:,} | not run: {r.skipped} |||||||||||")
            continue
        t = r.timeline
        assert t is not None and r.local is not None
        equal = {True: "yes", False: "**no**", None: "not compared"}[r.artifacts_equal]
        if r.join_items is not None:
            equal += f" ({r.join_items:,} work tasks; the end's total is the sum of squares)"
        lines.append(
            f"| {r.width:,} | {r.state} | {t.succeeded:,} / {r.width:,} | {r.wall:.1f} s "
            f"| {1000 * t.per_task:.0f} ms | {t.running:.2f} s | {t.queued_to_started:.2f} s "
            f"| {t.scheduled_to_queued:.2f} s | {r.local.wall:.1f} s | {equal} "
            f"| {_load_text(r.load_before)} → {_load_text(r.load_after)} |"
        )
    lines += [
        "",
        "CPU during each run (trigger → done), all processes of each component; per task = "
        "over the N + 3 tasks of the run:",
        "",
        "| width | all components | per task | scheduler loop | executor workers + task "
        "processes + shims | api-server | dag-processor | PostgreSQL | shim alone per task, "
        "wall (CPU) | `flowc run --local` CPU |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r.skipped:
            continue
        assert r.local is not None and r.shim is not None
        cpu = r.cpu
        lines.append(
            f"| {r.width:,} | {r.cpu_total:.1f} s | {1000 * r.cpu_total / r.tasks:.0f} ms "
            f"| {cpu['scheduler'].root:.1f} s | {cpu['scheduler'].below:.1f} s "
            f"| {cpu['api-server'].total:.1f} s | {cpu['dag-processor'].total:.1f} s "
            f"| {cpu['postgres'].total:.1f} s "
            f"| {1000 * r.shim.wall:.0f} ms ({1000 * r.shim.cpu:.0f} ms) "
            f"| {r.local.cpu:.1f} s |"
        )
    lines += [
        "",
        "Where a mapped task's time goes (medians over the mapped tasks, seconds): Airflow's "
        "stamps, then the phases of the task process from its log (`_airflow_timeline.py`), "
        "then the shim alone, the work step's command run by hand under the same load:",
        "",
        "| width | scheduled → queued | queued → running | task logs read | "
        + " | ".join(f"`{p}`" for p in PHASES)
        + " | TI running | shim alone, wall (CPU) |",
        "|---:|---:|---:|---:|" + "---:|" * len(PHASES) + "---:|---:|",
    ]
    for r in results:
        if r.skipped or r.timeline is None or r.shim is None:
            continue
        t = r.timeline
        phases = " | ".join(f"{r.phases.get(p, float('nan')):.2f}" for p in PHASES)
        lines.append(
            f"| {r.width:,} | {t.scheduled_to_queued:.2f} | {t.queued_to_started:.2f} "
            f"| {r.logs_read:,} | {phases} | {t.running:.2f} "
            f"| {r.shim.wall:.2f} ({r.shim.cpu:.2f}) |"
        )
    return "\n".join(lines) + "\n"


def profile_header(width: int, settings: Settings) -> str:
    load = _load_text(_load())
    return (
        f"py-spy samples (50 Hz, non-idle threads) during the {width:,}-wide run, "
        f"parallelism {settings.parallelism}, load {load}; written by "
        "benchmarks/airflow_scale.py --py-spy (summaries: benchmarks/_collapsed.py).\n"
    )


def _estimate(done: list[WidthResult], width: int) -> float:
    """CPU a run of ``width`` would take, from the most expensive run per task so far."""
    per_task = [(r.cpu_total + r.local.cpu) / r.tasks for r in done if r.local is not None]
    return max(per_task, default=0.0) * (width + 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[50, 200, 1024])
    parser.add_argument("--parallelism", type=int, default=4, help="[core] parallelism")
    parser.add_argument(
        "--max-active-tasks", type=int, default=16, help="[core] max_active_tasks_per_dag"
    )
    parser.add_argument(
        "--max-map-length",
        type=int,
        help="[core] max_map_length, and the compile's option (default: Airflow's 1,024, "
        "or the widest width)",
    )
    parser.add_argument("--shim-samples", type=int, default=5)
    parser.add_argument("--cpu-budget", type=float, default=1800.0, help="seconds of CPU")
    parser.add_argument("--report", default=str(HERE / "airflow_scale.md"), help="- : print")
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temp dir)")
    parser.add_argument(
        "--py-spy",
        help="py-spy executable: sample the scheduler, the API server and an executor "
        "worker during the widest run; the summary goes to the report's .profile.txt",
    )
    parser.add_argument("--profile-seconds", type=float, default=60.0)
    parser.add_argument("--profile-after", type=float, default=30.0, help="seconds into the run")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the deployment first
    settings = Settings(
        parallelism=args.parallelism,
        max_active_tasks=args.max_active_tasks,
        max_map_length=args.max_map_length or max(DEFAULT_MAX_MAP_LENGTH, *args.widths),
    )
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="flowc-airflow-scale-"))
    scratch.mkdir(parents=True, exist_ok=True)
    stack = start_stack(scratch, settings)
    results: list[WidthResult] = []
    profile = ""
    try:
        spent = sum(t.total for t in sample(server_roots(stack)).values())
        print(f"Airflow started in {stack.started_in:.1f} s ({spent:.1f} s CPU)", flush=True)
        for width in args.widths:
            estimate = _estimate(results, width)
            if spent + estimate > args.cpu_budget:
                reason = (
                    f"estimated {estimate:.0f} s of CPU, {args.cpu_budget - spent:.0f} s "
                    f"of the {args.cpu_budget:.0f} s budget left"
                )
                results.append(WidthResult(width, skipped=reason))
                print(f"width {width}: {reason}", flush=True)
                continue
            profiler = None
            if args.py_spy and width == max(args.widths):
                profiler = Profiler(args.py_spy, args.profile_seconds, args.profile_after, scratch)
            result = measure_width(stack, scratch, width, settings, args.shim_samples, profiler)
            if profiler is not None:
                profile = f"{profile_header(width, settings)}\n{profiler.finish()}"
            assert result.local is not None
            spent += result.cpu_total + result.local.cpu
            results.append(result)
            print(report([result], settings, stack.started_in), flush=True)
    finally:
        stack.stop()
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    text = report(results, settings, stack.started_in)
    print(text)
    if profile:
        print(profile)
    if args.report != "-":
        Path(args.report).write_text(text, encoding="utf-8")
        if profile:
            Path(args.report).with_suffix(".profile.txt").write_text(profile, encoding="utf-8")
    return 0 if all(r.skipped or r.state == "success" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
