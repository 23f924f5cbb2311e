"""The Airflow scale benchmark's own logic (``benchmarks/airflow_scale.py``), without
Airflow: the CPU accounting of process trees, the timeline of mapped task instances, and
the shim's commands taken from a compiled DAG file and run as its tasks run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from benchmarks import airflow_scale
from benchmarks._airflow_timeline import log_phases, mapped_timeline, median_phases, stamps
from benchmarks._collapsed import NATIVE, read_collapsed, summary
from benchmarks._proc_cpu import difference, sample
from benchmarks.scale_flows import wide_foreach
from flowc.deploy._compiled import compile_for_deploy

# A root that forks a child which burns CPU and exits; the root reaps it, then waits for
# its stdin to close, so the child's CPU is only in the root's reaped time.
BURNER = textwrap.dedent(
    """
    import os, sys, time
    print("up", flush=True)
    sys.stdin.readline()
    pid = os.fork()
    if pid == 0:
        end = time.process_time() + 0.4
        while time.process_time() < end:
            pass
        os._exit(0)
    os.waitpid(pid, 0)
    print("reaped", flush=True)
    sys.stdin.readline()
    """
)


def test_a_reaped_childs_cpu_counts_in_its_tree() -> None:
    root = subprocess.Popen(
        [sys.executable, "-c", BURNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert root.stdin is not None and root.stdout is not None
    try:
        assert root.stdout.readline() == "up\n"
        roots = {"burner": root.pid, "me": os.getpid()}
        before = sample(roots)
        root.stdin.write("go\n")
        root.stdin.flush()
        assert root.stdout.readline() == "reaped\n"
        used = difference(before, sample(roots))
    finally:
        root.communicate("done\n", timeout=30)
    assert used["burner"].below >= 0.35, used
    assert used["burner"].root < 0.2, used
    # The benchmark's own process is a tree of its own: the burner is not under it.
    assert used["me"].below < 0.35, used


def _iso(seconds: float) -> str:
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds % 1 * 1e6):06d}Z"
    )


def test_mapped_timeline_medians_and_span() -> None:
    base = 1_800_000_000.0
    records = [
        {
            "task_id": "work",
            "map_index": i,
            "state": "success" if i < 3 else "failed",
            "scheduled_when": _iso(base),
            "queued_when": _iso(base + 1 + i),
            "start_date": _iso(base + 2 + 2 * i),
            "end_date": _iso(base + 5 + 2 * i),
        }
        for i in range(4)
    ]
    records.append({"task_id": "start", "map_index": -1, "state": "success"})
    timeline = mapped_timeline([stamps(r) for r in records], "work")
    assert (timeline.count, timeline.succeeded) == (4, 3)
    assert timeline.states == {"success": 3, "failed": 1}
    assert timeline.scheduled_to_queued == 2.5  # 1, 2, 3, 4
    assert timeline.queued_to_started == 2.5  # 1, 2, 3, 4
    assert timeline.running == 3.0
    assert timeline.span == 9.0  # first start base+2, last end base+11
    assert timeline.per_task == 9.0 / 4
    assert timeline.first_scheduled_to_last_end == 11.0


def test_the_shim_runs_the_dags_own_commands(tmp_path: Path) -> None:
    flow = tmp_path / "foreach_3.py"
    flow.write_text(wide_foreach(3))
    datastore = tmp_path / "ds"
    compiled = compile_for_deploy(
        str(flow), "airflow", datastore_root=str(datastore), target_options={"operator": "local"}
    )
    (dag_file,) = compiled.files
    constants = airflow_scale.dag_constants(dag_file.content)
    assert set(constants["STEP_COMMANDS"]) == {"start", "work", "join", "end"}
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(airflow_scale.ROOT),
    }
    timing = airflow_scale.time_shim(dag_file.content, env, samples=2)
    assert timing.samples == 2 and timing.cpu > 0 and timing.wall > 0
    (run_id,) = os.listdir(datastore / "Wide3Flow" / "runs")
    run = datastore / "Wide3Flow" / "runs" / run_id
    tasks = {
        step: sorted(p.name for p in (run / step).glob("*.json")) for step in ("start", "work")
    }
    # One record per committed task: the start, then the two items timed.
    assert tasks == {"start": ["_.json"], "work": ["0.json", "1.json"]}, tasks


def test_collapsed_stacks_summary() -> None:
    lines = [
        "<module> (airflow:6);loop (airflow/jobs/job.py:10);query (sqlalchemy/engine.py:5) 6\n",
        "<module> (airflow:6);loop (airflow/jobs/job.py:12);query (sqlalchemy/engine.py:7) 2\n",
        "<module> (airflow:6);loop (airflow/jobs/job.py:10);heartbeat (airflow/jobs/job.py:40) 2\n",
        "not a stack line\n",
    ]
    samples = read_collapsed(lines)
    assert samples.total == 10
    # A function's samples at several lines add up.
    assert samples.own == {"query (sqlalchemy/engine.py)": 8, "heartbeat (airflow/jobs/job.py)": 2}
    assert samples.inclusive["loop (airflow/jobs/job.py)"] == 10
    text = summary("scheduler", samples, packages=("airflow/",))
    assert "80.0%  query (sqlalchemy/engine.py)" in text
    # The shared trunk and other packages' frames are left out of the inclusive list.
    inclusive = text.split("below the trunk samples:")[1]
    assert "20.0%  heartbeat (airflow/jobs/job.py)" in inclusive
    assert "loop" not in inclusive and "sqlalchemy" not in inclusive


def test_collapsed_stacks_by_process() -> None:
    worker = 'process 7:"airflow worker -- LocalExecutor: 01a2"'
    task = 'process 8:"airflow worker -- LocalExecutor: 01b3"'
    shim = 'process 9:"python -m runtime_shim step flow.py --index-path 3"'
    lines = [
        f"{worker};run (airflow/sdk/supervisor.py:1) 1\n",
        f"{worker};{task};parse (airflow/dagbag.py:3) 3\n",
        f"{worker};{task};{shim};<module> (runtime_shim/__main__.py:1) 4\n",
        f"{worker};{task};{shim} 2\n",
    ]
    samples = read_collapsed(lines)
    assert samples.processes == {
        "depth 0: airflow worker": 1,
        "depth 1: airflow worker": 3,
        "depth 2: python -m runtime_shim": 6,
    }
    assert samples.own[NATIVE] == 2
    assert samples.inclusive["<module> (runtime_shim/__main__.py)"] == 4


def test_task_log_phases() -> None:
    def line(stamp: str, event: str) -> str:
        return json.dumps({"timestamp": f"2026-12-02T13:59:{stamp}Z", "event": event}) + "\n"

    log = [
        line("48.500000", "::group::Pre Execute"),
        line("48.800000", "Filling up the DagBag from /dags/Wide10Flow.py"),
        line("49.300000", "Worker startup parse complete"),
        line("49.600000", "::endgroup::"),
        line("51.200000", "Done. Returned value was: None"),
        line("51.200500", "::group::Post Execute"),
        line("51.250000", "::endgroup::"),
    ]
    phases = log_phases(log)
    assert phases is not None
    assert round(phases.dag_parse, 3) == 0.8
    assert round(phases.pre_execute, 3) == 0.3
    assert round(phases.execute, 3) == 1.6
    assert round(phases.post_execute, 3) == 0.05
    assert log_phases(log[:4]) is None  # still running: no "Done"
    assert median_phases([phases, phases])["execute"] == phases.execute
