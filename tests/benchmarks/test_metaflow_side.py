"""The arithmetic and text handling behind the benchmarks' Metaflow columns: the
extrapolated 10,000-wide row is the straight line through the measured ones, and profiles
name Metaflow's modules without the venv's path."""

from __future__ import annotations

import cProfile
import json
from pathlib import Path

import pytest

from benchmarks import _metaflow_compile, _metaflow_local


def _row(width: int, per_task: float) -> dict[str, float]:
    tasks = width + 3
    return {
        "width": width,
        "tasks": tasks,
        "wall": 2 + per_task * tasks,
        "cpu": 1 + per_task * tasks,
        "runtime_cpu": 0.01 * tasks,
        "disk": 4096.0 * tasks,
        "files": 47.0 * tasks,
    }


def test_extrapolation_is_the_line_through_the_two_widest_rows() -> None:
    rows = [_row(10, 9.0), _row(100, 0.5), _row(1000, 0.5)]
    far = _metaflow_local.extrapolate(rows, 10_000)
    assert far["tasks"] == 10_003
    assert far["wall"] == pytest.approx(2 + 0.5 * 10_003)
    assert far["cpu"] == pytest.approx(1 + 0.5 * 10_003)
    assert far["files"] == pytest.approx(47.0 * 10_003)


def test_metaflow_figures_round_trip(tmp_path: Path) -> None:
    path = str(tmp_path / "figures.json")
    assert _metaflow_local.load_figures(path) is None
    figures = {"rows": [_row(100, 0.5)], "metaflow": "2.19.39"}
    _metaflow_local.save_figures(path, figures)
    assert _metaflow_local.load_figures(path) == json.loads(json.dumps(figures))


def test_profile_lines_drop_the_site_packages_prefix(tmp_path: Path) -> None:
    line = (
        "  939/134    0.319    0.000    0.614    0.005 /v/lib/site-packages/metaflow/graph.py:1(f)"
    )
    assert _metaflow_compile._short(line).endswith(" metaflow/graph.py:1(f)")
    assert _metaflow_compile._short(line).startswith("  939/134 ")
    profiler = cProfile.Profile()
    profiler.runcall(sorted, range(1000))
    dump = tmp_path / "run.prof"
    profiler.dump_stats(str(dump))
    text = _metaflow_local.runtime_profile(str(dump), 5)
    assert "ncalls" in text
    assert "sorted" in text


def test_each_target_has_a_metaflow_command(tmp_path: Path) -> None:
    flow = tmp_path / "wide.py"
    assert _metaflow_compile.command("argo", flow, tmp_path)[2:] == [
        "argo-workflows",
        "create",
        "--only-json",
    ]
    assert _metaflow_compile.command("stepfunctions", flow, tmp_path)[2] == "step-functions"
    airflow = _metaflow_compile.command("airflow", flow, tmp_path)
    assert airflow[2:4] == ["airflow", "create"]
    assert airflow[4] == str(tmp_path / "wide_dag.py")


def test_snapshot_counts_finished_tasks_and_reads_the_process(tmp_path: Path) -> None:
    import os

    def disk_usage(root: str) -> dict[str, int]:
        sizes = [os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(root) for n in ns]
        return {"disk": sum(sizes), "files": len(sizes), "empty": sizes.count(0)}

    for task in ("1", "2", "3"):
        folder = tmp_path / ".metaflow" / "F" / "9" / "square" / task
        folder.mkdir(parents=True)
        (folder / "0.data.json").write_text("{}")
        if task != "3":  # still running: no DONE.lock yet
            (folder / "0.DONE.lock").write_text("")
    row = _metaflow_local.snapshot(os.getpid(), str(tmp_path), 1000, disk_usage)
    assert row["partial"] is True
    assert row["tasks"] == 2
    assert row["files"] == 5
    assert row["empty"] == 2
    assert row["cpu"] >= row["runtime_cpu"] > 0
    assert row["runtime_rss_kb"] > 0
