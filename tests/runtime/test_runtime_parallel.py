"""``@parallel`` run locally as Metaflow runs it: N nodes, node 0 the control task, every
node told its place in the gang through ``current.parallel``, the join sees N inputs."""

from __future__ import annotations

from pathlib import Path

from runtime_shim.datastore.layout import FlowDatastore
from tests.support.runs import artifacts, local_store, run_local

FLOW = "tests/runtime/flows/gang.py"


def test_gang_nodes_know_their_place(tmp_path: Path) -> None:
    code, run = run_local(FLOW, str(tmp_path))
    assert code == 0
    got = artifacts(local_store(str(tmp_path)), "GangFlow", run)
    control = got["gang/0"]["control"]
    assert control == "gang.0"  # the control task's id: what current.task_id says in node 0
    assert got["join/_"]["gathered"] == [(k, 3, k, control, "127.0.0.1", True) for k in range(3)]
    assert got["start/_"]["seen_parallel"] is False


def test_only_node_zero_is_the_control_task(tmp_path: Path) -> None:
    code, run = run_local(FLOW, str(tmp_path))
    assert code == 0
    ds = FlowDatastore(local_store(str(tmp_path)), "GangFlow")
    task_types = {
        task: (ds.attempt_meta(run, "gang", task, 0) or {}).get("internal_task_type")
        for task in ds.list_tasks(run, "gang")
    }
    assert task_types == {"0": "control_task", "1": None, "2": None}
    from flowc.client import Step

    step = Step(f"GangFlow/{run}/gang", ds.store.url, _namespace_check=False)
    assert [t.id for t in step.control_tasks()] == ["gang.0"]
    assert step.control_task is not None and step.control_task.id == "gang.0"


def test_foreach_frames_name_step_var_count_index_and_value(tmp_path: Path) -> None:
    code, run = run_local("tests/runtime/flows/foreach_frames.py", str(tmp_path))
    assert code == 0
    frames = artifacts(local_store(str(tmp_path)), "ForeachFramesFlow", run)["end/_"]["frames"]
    assert frames[4] == [("start", "xs", 2, 1, "b"), ("outer", "ys", 3, 1, 20)]
    assert len(frames) == 6


def test_unbounded_foreach_runs_one_task_per_item_of_unknown_width(tmp_path: Path) -> None:
    code, run = run_local("tests/runtime/flows/unbounded.py", str(tmp_path))
    assert code == 0
    join = artifacts(local_store(str(tmp_path)), "UnboundedFlow", run)["join/_"]
    assert join["got"] == [(0, "a", None), (1, "b", None), (2, "c", None)]
    assert join["whole"] == "['a', 'b', 'c']"


def test_a_jobset_pod_finds_its_node_index_in_its_environment() -> None:
    import pytest

    from runtime_shim.parallel import gang_index_path

    assert gang_index_path("", {}) == ""
    assert gang_index_path("", {"FLOWC_GANG_JOB": "control", "FLOWC_GANG_JOB_INDEX": "0"}) == "0"
    assert gang_index_path("", {"FLOWC_GANG_JOB": "worker", "FLOWC_GANG_JOB_INDEX": "0"}) == "1"
    assert gang_index_path("2", {"FLOWC_GANG_JOB": "worker", "FLOWC_GANG_JOB_INDEX": "4"}) == "2.5"
    with pytest.raises(ValueError, match="job index"):
        gang_index_path("", {"FLOWC_GANG_JOB": "worker"})
    with pytest.raises(ValueError, match="expected"):
        gang_index_path("", {"FLOWC_GANG_JOB": "leader", "FLOWC_GANG_JOB_INDEX": "0"})
