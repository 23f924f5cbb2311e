"""Every shape runs end to end on real Airflow (``dag.test()``) with the results of a
local run; retries, failures and trigger-time parameters behave as on a scheduler."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.layout import FlowDatastore
from tests.airflow.conftest import SHAPES, AirflowWorker
from tests.support.airflow import artifacts, compile_dag, run_local, value
from tests.support.runs import PROJECT_FLOW, project_fields

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

FLOWS = Path(__file__).with_name("flows")
SHAPE_NAMES = sorted(p.stem for p in SHAPES.glob("*.py"))


def _run(
    airflow: AirflowWorker,
    flow: Path,
    tmp_path: Path,
    operator: str = "local",
    conf: dict[str, object] | None = None,
    target: dict[str, object] | None = None,
) -> tuple[dict[str, object], Path]:
    folder = airflow.dags / f"{tmp_path.name}"
    folder.mkdir(exist_ok=True)
    datastore = tmp_path / "airflow-ds"
    dag_file, dag_id = compile_dag(flow, folder, datastore, operator, target=target)
    result = airflow.request(
        cmd="test", file=str(dag_file), dag_id=dag_id, conf=conf, fake_pods=operator == "kubernetes"
    )
    return result, datastore


def _states(result: dict[str, object]) -> dict[str, set[str]]:
    states: dict[str, set[str]] = {}
    for ti in result["tasks"]:  # type: ignore[attr-defined]
        states.setdefault(ti["task_id"], set()).add(ti["state"])
    return states


# The shared shapes, plus what they do not cover: a branch and nested switches inside a
# foreach, and step names that shadow Python builtins in the DAG file.
EQUIVALENCE_FLOWS = [SHAPES / f"{name}.py" for name in SHAPE_NAMES] + [
    FLOWS / "branch_in_foreach.py",
    FLOWS / "switch_nested_in_foreach.py",
    FLOWS / "switch_case_unused_in_foreach.py",
    FLOWS / "builtin_names.py",
]


@pytest.mark.parametrize("flow", EQUIVALENCE_FLOWS, ids=lambda p: p.stem)
def test_flow_matches_local_run(airflow: AirflowWorker, tmp_path: Path, flow: Path) -> None:
    result, datastore = _run(airflow, flow, tmp_path)
    assert result["state"] == "success", result
    local_ds = tmp_path / "local-ds"
    local_run = run_local(flow, local_ds)
    flow_name = next(p.name for p in datastore.iterdir())
    on_airflow = artifacts(datastore, flow_name, str(result["run_id"]))
    locally = artifacts(local_ds, flow_name, local_run)
    assert on_airflow.keys() == locally.keys()
    assert on_airflow == locally
    assert on_airflow["end/_"], "the end step recorded no artifacts"


def test_switch_case_straight_to_merge(airflow: AirflowWorker, tmp_path: Path) -> None:
    """The switch picks the merge step itself: ``work`` is skipped, the merge still runs
    (its trigger rule) and finds the switch step as its one input."""
    flow = SHAPES / "switch_skip.py"
    result, datastore = _run(airflow, flow, tmp_path, conf={"choice": "skip"})
    assert result["state"] == "success", result
    local_ds = tmp_path / "local-ds"
    local_run = run_local(flow, local_ds, {"choice": "skip"})
    on_airflow = artifacts(datastore, "SwitchSkipFlow", str(result["run_id"]))
    assert on_airflow == artifacts(local_ds, "SwitchSkipFlow", local_run)
    assert sorted(on_airflow) == ["end/_", "merge/_", "start/_"]
    assert _states(result)["work"] == {"skipped"}


def test_parameters_given_at_trigger_time(airflow: AirflowWorker, tmp_path: Path) -> None:
    flow = SHAPES / "parameters.py"
    conf = {"who": "airflow", "count": 2, "loud": True, "config": {"layers": [7]}}
    result, datastore = _run(airflow, flow, tmp_path, conf=conf)
    assert result["state"] == "success", result
    local_ds = tmp_path / "local-ds"
    local_run = run_local(
        flow,
        local_ds,
        {"who": "airflow", "count": "2", "loud": "true", "config": json.dumps({"layers": [7]})},
    )
    on_airflow = artifacts(datastore, "ParametersFlow", str(result["run_id"]))
    assert on_airflow == artifacts(local_ds, "ParametersFlow", local_run)
    end = on_airflow["end/_"]
    result_value = value(datastore, "ParametersFlow", end["result"])
    assert result_value["text"] == "HELLO AIRFLOWHELLO AIRFLOW"


def test_retries_happen(airflow: AirflowWorker, tmp_path: Path) -> None:
    result, _ = _run(airflow, FLOWS / "flaky.py", tmp_path)
    assert result["state"] == "success", result
    flaky = [ti for ti in result["tasks"] if ti["task_id"] == "flaky"]  # type: ignore[attr-defined]
    assert [ti["try_number"] for ti in flaky] == [3]


def test_tasks_store_their_cards(airflow: AirflowWorker, tmp_path: Path) -> None:
    """Real Airflow runs the shim, which renders the cards as locally; the first carded
    task derives the run's graph for the DAG picture."""
    from tests.support.cards import CARD_FLOW, check_cards
    from tests.support.runs import REPO, local_store

    result, datastore = _run(airflow, REPO / CARD_FLOW, tmp_path)
    assert result["state"] == "success", result
    check_cards(local_store(str(datastore)), str(result["run_id"]))


def test_failing_step_fails_the_run(airflow: AirflowWorker, tmp_path: Path) -> None:
    result, _ = _run(airflow, FLOWS / "failing.py", tmp_path)
    assert result["state"] == "failed"
    states = _states(result)
    assert states["broken"] == {"failed"}
    assert states["end"] == {"upstream_failed"}


@pytest.mark.parametrize(
    "shape", ["switch_in_foreach", "nested_foreach3", "recursive_switch_in_foreach", "decorators"]
)
def test_kubernetes_pods_run(airflow: AirflowWorker, tmp_path: Path, shape: str) -> None:
    """The real KubernetesPodOperator builds every pod; its command runs as a local process."""
    flow = SHAPES / f"{shape}.py"
    result, datastore = _run(airflow, flow, tmp_path, operator="kubernetes")
    assert result["state"] == "success", result
    local_ds = tmp_path / "local-ds"
    local_run = run_local(flow, local_ds)
    flow_name = next(p.name for p in datastore.iterdir())
    assert artifacts(datastore, flow_name, str(result["run_id"])) == artifacts(
        local_ds, flow_name, local_run
    )
    pods = result["pods"]
    if shape == "decorators":
        start = next(p for p in pods if p["task_id"] == "start")  # type: ignore[union-attr]
        assert start["resources"]["requests"] == {"cpu": "1", "memory": "512Mi"}
        assert start["env"]["GREETING"] == "hi there"
    assert pods and all(p["args"][:4] == [p["args"][0], "-m", "runtime_shim", "step"] for p in pods)  # type: ignore[index,union-attr]


NASTY = "{{ 7 * 7 }} {% raw %} {# x ' \" \\ $(echo no) `echo no` ${HOME} \n\u00e9"


@pytest.mark.parametrize("operator", ["local", "kubernetes"])
def test_user_strings_reach_the_step_unchanged(
    airflow: AirflowWorker, tmp_path: Path, operator: str
) -> None:
    """Jinja, shell and quote characters in env values, parameters, the docstring and the
    datastore path are neither rendered nor interpreted on the way to the step."""
    folder = airflow.dags / tmp_path.name
    folder.mkdir()
    datastore = tmp_path / "ds {{ 7 * 7 }} $(x)"
    dag_file, dag_id = compile_dag(FLOWS / "strings.py", folder, datastore, operator)
    conf = {"text": NASTY}
    result = airflow.request(
        cmd="test",
        file=str(dag_file),
        dag_id=dag_id,
        conf=conf,
        fake_pods=operator == "kubernetes",
        inspect=True,
    )
    assert result["state"] == "success", result
    assert result["doc_md"] == "Strings: " + NASTY
    assert result["param_defaults"] == {"text": NASTY}
    found = artifacts(datastore, "StringsFlow", str(result["run_id"]))["start/_"]
    assert value(datastore, "StringsFlow", found["env_value"]) == NASTY
    assert value(datastore, "StringsFlow", found["param_value"]) == NASTY


def test_required_parameter(airflow: AirflowWorker, tmp_path: Path) -> None:
    """A parameter without a default is a required DAG param, given at trigger time."""
    result, datastore = _run(airflow, FLOWS / "required.py", tmp_path, conf={"person": "ada"})
    assert result["state"] == "success", result
    found = artifacts(datastore, "RequiredParamFlow", str(result["run_id"]))["start/_"]
    assert value(datastore, "RequiredParamFlow", found["greeting"]) == "hi ada"


def test_recursive_switch_retry_resumes_at_the_failed_iteration(
    airflow: AirflowWorker, tmp_path: Path
) -> None:
    result, datastore = _run(airflow, FLOWS / "flaky_loop.py", tmp_path)
    assert result["state"] == "success", result
    ds = FlowDatastore(open_object_store(str(datastore)), "FlakyLoopFlow")
    run_id = str(result["run_id"])
    attempts = {
        task: (ds.committed(run_id, "loop", task) or {})["attempt"]
        for task in ds.list_tasks(run_id, "loop")
    }
    # iterations 0 and 1 committed on the first try; the retry re-ran only 2 and 3
    assert attempts == {"_": 0, "_@1": 0, "_@2": 1, "_@3": 1}
    found = artifacts(datastore, "FlakyLoopFlow", str(result["run_id"]))
    assert value(datastore, "FlakyLoopFlow", found["end/_"]["result"]) == 4


def test_kubernetes_pod_fields_reach_the_pod(airflow: AirflowWorker, tmp_path: Path) -> None:
    """@kubernetes's pod settings are in the pod Airflow builds (not only in the file)."""
    result, _ = _run(airflow, FLOWS / "pod_settings.py", tmp_path, operator="kubernetes")
    assert result["state"] == "success", result
    pods = {p["task_id"]: p["pod"] for p in result["pods"]}
    start = pods["start"]
    assert start["node_selector"] == {"pool": "train"}
    assert start["service_account_name"] == "trainer"
    assert start["labels"]["team"] == "fraud"
    assert start["annotations"] == {"owner": "ada {not jinja}"}
    assert [(t["key"], t["operator"], t["effect"]) for t in start["tolerations"]] == [
        ("gpu", "Exists", "NoSchedule")
    ]
    assert start["image_pull_policy"] == "IfNotPresent"
    assert start["image_pull_secrets"] == ["registry-creds"]
    claims = {v["name"]: v for v in start["volumes"]}
    mounts = {m["mount_path"]: m["name"] for m in start["volume_mounts"]}
    assert claims[mounts["/mnt/data"]]["persistent_volume_claim"]["claim_name"] == "data-pvc"
    shm = claims[mounts["/dev/shm"]]["empty_dir"]
    assert (shm["medium"], shm["size_limit"]) == ("Memory", "256Mi")
    end = {v["name"]: v for v in pods["end"]["volumes"]}
    assert [v["empty_dir"]["size_limit"] for v in end.values()] == ["128Mi"]


@pytest.mark.parametrize(
    ("target", "branch_name", "production"),
    [({"branch": "feature_x"}, "test.feature_x", False), ({"production": True}, "prod", True)],
)
def test_project_branch_reaches_every_task(
    airflow: AirflowWorker,
    tmp_path: Path,
    target: dict[str, object],
    branch_name: str,
    production: bool,
) -> None:
    """The DAG of a ``@project`` flow is its deployed name, and every task of it sees the
    compile-time ``--branch``/``--production`` in ``current``."""
    flow = Path(__file__).parents[2] / PROJECT_FLOW
    result, datastore = _run(airflow, flow, tmp_path, target=target)
    assert result["state"] == "success", result
    flow_name = f"deploy_check.{branch_name}.ProjectFieldsFlow"
    assert compile_dag(flow, tmp_path, tmp_path / "ds", target=target)[1] == flow_name
    shas = artifacts(datastore, "ProjectFieldsFlow", str(result["run_id"]))
    found = {
        task: {"fields": value(datastore, "ProjectFieldsFlow", names["fields"])}
        for task, names in shas.items()
        if "fields" in names
    }
    assert project_fields(found) == [
        {
            "project_name": "deploy_check",
            "branch_name": branch_name,
            "is_user_branch": False,
            "is_production": production,
            "project_flow_name": flow_name,
        }
    ]


@pytest.mark.parametrize("operator", ["local", "kubernetes"])
@pytest.mark.parametrize("fail", [False, True], ids=["success", "failure"])
def test_exit_hooks_task_runs_the_hooks_of_the_outcome(
    airflow: AirflowWorker, tmp_path: Path, fail: bool, operator: str
) -> None:
    """The teardown task runs after the steps whatever their states and runs the hooks
    the outcome selects; the DAG run's state is still the steps' (a failed end step fails
    it, although the hooks' task succeeded)."""
    log = tmp_path / "hooks.log"
    folder = airflow.dags / f"{tmp_path.name}"
    folder.mkdir(exist_ok=True)
    datastore = tmp_path / "airflow-ds"
    dag_file, dag_id = compile_dag(SHAPES / "exit_hooks.py", folder, datastore, operator)
    result = airflow.request(
        cmd="test",
        file=str(dag_file),
        dag_id=dag_id,
        conf={"fail": True} if fail else None,
        fake_pods=operator == "kubernetes",
        env={"FLOWC_TEST_HOOK_LOG": str(log)},
    )
    states = _states(result)
    assert states["exit-hooks"] == {"success"}, result
    run = f"ExitHooksFlow/{result['run_id']}"
    lines = log.read_text(encoding="utf-8").splitlines()
    if fail:
        assert result["state"] == "failed", result
        assert states["end"] == {"failed"}
        assert lines == ["announce", f"alarm {run} successful=False start=42"]
    else:
        assert result["state"] == "success", result
        assert lines == [f"notify {run} successful=True result=42", "announce"]
