"""Emitted machines executed in moto's ASL interpreter (callback binding) give the same
artifacts as ``flowc run --local``; failures fail the execution and retries happen.

Each test gets its own S3 prefix and SQS queue on the session's moto server; a pool of
worker threads answers the queue by running the real shim against the S3 datastore.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.runs import PROJECT_FLOW, artifacts, local_store, project_fields, run_local
from tests.support.sfn import (
    SHAPES,
    definition,
    emit,
    flow_path,
    load_ir,
    pretty,
    s3_store,
    shape_path,
)
from tests.support.sfn_harness import Execution, MotoServer, WorkerPool, execute

BUCKET = "flowc-sfn-e2e"
# A few shapes run in the default suite; the rest are marked slow (CI runs them all).
QUICK = {"foreach", "recursive_switch"}
_counter = itertools.count()


def _run(
    server: MotoServer,
    path: str,
    run_id: str,
    execution_input: dict[str, Any] | None = None,
    *,
    workers: int = 4,
    warm: bool = False,
    timeout: float = 240,
    target: dict[str, Any] | None = None,
    **extra: str,
) -> tuple[Execution, WorkerPool, Any]:
    n = next(_counter)
    s3, sqs = server.client("s3"), server.client("sqs")
    if n == 0:
        s3.create_bucket(Bucket=BUCKET)
    queue = sqs.create_queue(QueueName=f"flowc-tasks-{n}")["QueueUrl"]
    prefix = f"case-{n}"
    text = definition(
        path,
        datastore_root=f"s3://{BUCKET}/{prefix}",
        extra={"compute": "callback", "queue_url": queue, **extra},
        **(target or {}),
    )
    with WorkerPool(server, queue, size=workers, warm=warm) as pool:
        result = execute(server, text, f"machine-{n}", run_id, execution_input, timeout)
    return result, pool, s3_store(s3, BUCKET, prefix)


def _failure(result: Execution, pool: WorkerPool) -> str:
    failed = [f"{r.step} {r.argv}\n{r.stderr[-2000:]}" for r in pool.runs if r.returncode]
    return f"{result.status} {result.error} {result.cause}\n" + "\n".join(failed)


@pytest.mark.parametrize(
    "shape", [pytest.param(s, marks=() if s in QUICK else (pytest.mark.slow,)) for s in SHAPES]
)
def test_same_artifacts_as_local_run(shape: str, moto_server: MotoServer, tmp_path: Path) -> None:
    path = shape_path(shape)
    flow = load_ir(path).name
    code, local_run = run_local(path, str(tmp_path / "local"))
    assert code == 0
    result, pool, store = _run(moto_server, path, f"sfn-{shape.replace('_', '-')}")
    assert result.status == "SUCCEEDED", _failure(result, pool)
    expected = artifacts(local_store(str(tmp_path / "local")), flow, local_run)
    got = artifacts(store, flow, f"sfn-{shape.replace('_', '-')}")
    assert got == expected, pretty(got) + "\n---\n" + pretty(expected)


@pytest.mark.slow
def test_switch_case_straight_to_merge(moto_server: MotoServer, tmp_path: Path) -> None:
    """The switch picks the merge step itself; the merge finds the switch step as its one
    input (the other case's step never ran)."""
    path = shape_path("switch_skip")
    code, local_run = run_local(path, str(tmp_path / "local"), "--choice", "skip")
    assert code == 0
    result, pool, store = _run(moto_server, path, "skip-run", {"choice": "skip"})
    assert result.status == "SUCCEEDED", _failure(result, pool)
    local = artifacts(local_store(str(tmp_path / "local")), "SwitchSkipFlow", local_run)
    got = artifacts(store, "SwitchSkipFlow", "skip-run")
    assert got == local
    assert sorted(got) == ["end/_", "merge/_", "start/_"]


@pytest.mark.slow
def test_parameters_from_execution_input(moto_server: MotoServer, tmp_path: Path) -> None:
    path = shape_path("parameters")
    given = {"who": "flowc", "count": 2, "loud": True, "config": {"layers": [3, 4, 5]}}
    code, local_run = run_local(
        path,
        str(tmp_path / "local"),
        "--who",
        "flowc",
        "--count",
        "2",
        "--loud",
        "--config",
        '{"layers": [3, 4, 5]}',
    )
    assert code == 0
    result, pool, store = _run(moto_server, path, "params-run", given)
    assert result.status == "SUCCEEDED", _failure(result, pool)
    local = artifacts(local_store(str(tmp_path / "local")), "ParametersFlow", local_run)
    assert artifacts(store, "ParametersFlow", "params-run") == local
    assert local["end/_"]["result"]["layers"] == [3, 4, 5]
    assert local["end/_"]["result"]["ratio"] == 0.25  # default merged under the input


def test_user_strings_reach_the_step_unchanged(moto_server: MotoServer) -> None:
    path = flow_path("user_strings")
    ir = load_ir(path)
    text = "it's {} $.x \\ \" States.Array() ${HOME}"
    result, pool, store = _run(moto_server, path, "strings-run", {"text": text})
    assert result.status == "SUCCEEDED", _failure(result, pool)
    end = artifacts(store, ir.name, "strings-run")["end/_"]["result"]
    assert end["text"] == text
    assert end["doc"] == {"a.$": "$.run_id", "b": "{}"}
    assert end["tricky"] == "$.run_id {{x}} '${HOME}' \\n"


def test_failing_step_fails_the_execution(moto_server: MotoServer) -> None:
    result, pool, store = _run(moto_server, flow_path("failing"), "failing-run")
    assert result.status == "FAILED"
    assert result.error == "flowc.TaskFailed"
    failed = [e for e in result.history if e["type"] == "TaskFailed"]
    assert [e["taskFailedEventDetails"]["error"] for e in failed] == ["flowc.TaskFailed"]
    assert "deliberate failure" in pool.runs_of("explode")[0].stderr
    assert [r.step for r in pool.runs] == ["start", "explode"]
    done = artifacts(store, "FailingFlow", "failing-run")
    assert "start/_" in done and "explode/_" not in done and "end/_" not in done


def test_retries_pass_the_attempt_number(moto_server: MotoServer) -> None:
    result, pool, store = _run(moto_server, flow_path("flaky"), "flaky-run")
    assert result.status == "SUCCEEDED", _failure(result, pool)
    flaky = pool.runs_of("flaky")
    assert [r.arg("--attempt") for r in flaky] == ["0", "1", "2"]
    assert [r.returncode for r in flaky] == [1, 1, 0]
    assert artifacts(store, "FlakyFlow", "flaky-run")["flaky/_"]["succeeded_on"] == 2


@pytest.mark.slow
def test_distributed_map(moto_server: MotoServer, tmp_path: Path) -> None:
    path = shape_path("nested_foreach3")
    flow = load_ir(path).name
    code, local_run = run_local(path, str(tmp_path / "local"))
    assert code == 0
    result, pool, store = _run(moto_server, path, "distributed-run", map_mode="distributed")
    assert result.status == "SUCCEEDED", _failure(result, pool)
    expected = artifacts(local_store(str(tmp_path / "local")), flow, local_run)
    assert artifacts(store, flow, "distributed-run") == expected


@pytest.mark.slow
def test_distributed_map_wider_than_array_range(moto_server: MotoServer, tmp_path: Path) -> None:
    """1,200 children: more than States.ArrayRange's 1,000 items. The distributed Map
    reads the split's committed positions list from S3 and the join sees every child."""
    path, width = "tests/runtime/flows/wide.py", 1200
    code, local_run = run_local(path, str(tmp_path / "local"), "--width", str(width))
    assert code == 0
    result, pool, store = _run(
        moto_server,
        path,
        "wide-run",
        {"width": width},
        workers=8,
        warm=True,
        timeout=900,
        map_mode="distributed",
        max_concurrency="64",
    )
    assert result.status == "SUCCEEDED", _failure(result, pool)
    assert len(pool.runs_of("square")) == width
    got = artifacts(store, "WideFlow", "wide-run")
    assert got["join/_"]["count"] == width
    assert got["join/_"]["total"] == sum(i * i for i in range(width))
    assert got == artifacts(local_store(str(tmp_path / "local")), "WideFlow", local_run)


def test_required_parameter(moto_server: MotoServer) -> None:
    path = flow_path("required_param")
    missing, pool, _ = _run(moto_server, path, "required-missing")
    assert (missing.status, missing.error) == ("FAILED", "flowc.MissingParameter")
    assert pool.runs == []
    given, pool, store = _run(moto_server, path, "required-given", {"who": "flowc"})
    assert given.status == "SUCCEEDED", _failure(given, pool)
    done = artifacts(store, "RequiredParamFlow", "required-given")
    assert done["start/_"]["greeting"] == "hello flowc"


def test_parameter_names_with_dashes(moto_server: MotoServer) -> None:
    """One parameter document reaches the start task (as Metaflow passes them); a required
    dashed name is still checked before any task runs."""
    path = flow_path("dashed_params")
    missing, pool, _ = _run(moto_server, path, "dashed-missing", {"max-items": 5})
    assert (missing.status, missing.error) == ("FAILED", "flowc.MissingParameter")
    assert pool.runs == []
    given, pool, store = _run(moto_server, path, "dashed-given", {"run-label": "nightly"})
    assert given.status == "SUCCEEDED", _failure(given, pool)
    done = artifacts(store, "DashedParamsFlow", "dashed-given")
    assert done["start/_"]["summary"] == "nightly:3"  # the default merged under the input
    assert done["end/_"]["max_items"] == 3


def test_configs_reach_the_tasks(moto_server: MotoServer, tmp_path: Path) -> None:
    """The definition carries the resolved configs as state data; the start task stores
    them (and evaluates the flow's own parser and default functions), as a local run does."""
    path = "tests/config/flows/configured.py"  # relative: tasks run from the repository
    code, local_run = run_local(path, str(tmp_path / "local"))
    assert code == 0
    # ``double`` has a callable default, which the execution input must give on this target.
    result, pool, store = _run(moto_server, path, "configs-run", {"double": 4})
    assert result.status == "SUCCEEDED", _failure(result, pool)
    local = artifacts(local_store(str(tmp_path / "local")), "ConfiguredFlow", local_run)
    assert artifacts(store, "ConfiguredFlow", "configs-run") == local
    assert local["start/_"]["seen"]["region"] == "eu-west-1"
    assert local["end/_"]["notes"] == {"lines": ["ONE", "TWO"]}


def test_tasks_store_their_cards(moto_server: MotoServer) -> None:
    """The shim renders cards in the workers as locally, into the S3 datastore; the first
    carded task derives the run's graph for the DAG picture."""
    from tests.support.cards import CARD_FLOW, check_cards

    result, pool, store = _run(moto_server, CARD_FLOW, "sfn-cards")
    assert result.status == "SUCCEEDED", _failure(result, pool)
    check_cards(store, "sfn-cards")


@pytest.mark.parametrize(
    ("target", "branch_name", "production"),
    [
        ({"branch": "feature_x"}, "test.feature_x", False),
        ({"production": True}, "prod", True),
        ({}, "user.flowc-tests", False),
    ],
)
def test_project_branch_reaches_every_task(
    target: dict[str, Any], branch_name: str, production: bool, moto_server: MotoServer
) -> None:
    """``flowc compile --branch/--production`` (or neither: the compiling user's branch)
    names the machine and is what ``current`` says in every task the machine runs."""
    run_id = f"project-{branch_name.replace('.', '-')}"
    result, pool, store = _run(moto_server, PROJECT_FLOW, run_id, target=target)
    assert result.status == "SUCCEEDED", _failure(result, pool)
    flow_name = f"deploy_check.{branch_name}.ProjectFieldsFlow"
    assert project_fields(artifacts(store, "ProjectFieldsFlow", run_id)) == [
        {
            "project_name": "deploy_check",
            "branch_name": branch_name,
            "is_user_branch": branch_name.startswith("user."),
            "is_production": production,
            "project_flow_name": flow_name,
        }
    ]
    named = emit(PROJECT_FLOW, datastore_root="s3://b/p", **target)
    assert [f.path for f in named.files] == [f"{flow_name}.asl.json"]


def test_schedule_is_a_create_schedule_request(moto_server: MotoServer) -> None:
    """``@schedule`` beside the machine: a ``CreateSchedule`` request that botocore's own
    model of EventBridge Scheduler accepts, and that creates the schedule (cron, time
    zone, the deployed machine as target) in moto."""
    import json

    import botocore.session
    from botocore.validate import validate_parameters

    from tests.support.sfn_harness import REGION, ROLE

    flow = "tests/airflow/flows/scheduled.py"  # @project(name="demo") + a Berlin cron
    sfn = moto_server.client("stepfunctions")
    name = "demo.test.nightly.ScheduledFlow"
    arn = sfn.create_state_machine(
        name=name, definition=definition(flow, branch="nightly"), roleArn=ROLE
    )["stateMachineArn"]
    extra = {"region": REGION, "account_id": arn.split(":")[4], "scheduler_role_arn": ROLE}
    result = emit(flow, datastore_root="s3://b/p", branch="nightly", extra=extra)
    (document,) = [json.loads(f.content) for f in result.files if f.path.endswith(".schedule.json")]
    model = botocore.session.get_session().get_service_model("scheduler")
    validate_parameters(document, model.operation_model("CreateSchedule").input_shape)
    assert document["Target"]["Arn"] == arn
    scheduler = moto_server.client("scheduler")
    scheduler.create_schedule(**document)
    made = scheduler.get_schedule(Name=name)
    assert made["ScheduleExpression"] == "cron(30 6 ? * 2-6 *)"
    assert made["ScheduleExpressionTimezone"] == "Europe/Berlin"
    assert made["Target"]["Arn"] == arn


@pytest.mark.parametrize("fail", [False, True], ids=["success", "failure"])
def test_exit_hooks_run_for_the_outcome(
    fail: bool, moto_server: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The on_success hooks run before Succeed; a failing step is caught, the on_error
    hooks run, and the execution still fails with the step's error."""
    log = tmp_path / "hooks.log"
    monkeypatch.setenv("FLOWC_TEST_HOOK_LOG", str(log))
    run_id = "sfn-hooks-fail" if fail else "sfn-hooks-ok"
    result, pool, _ = _run(
        moto_server, shape_path("exit_hooks"), run_id, {"fail": True} if fail else None
    )
    hooks = pool.runs_of("exit-hooks")
    assert [r.returncode for r in hooks] == [0], _failure(result, pool)
    lines = log.read_text(encoding="utf-8").splitlines()
    if fail:
        assert result.status == "FAILED"
        assert result.error == "flowc.TaskFailed"
        # The Fail state re-raises what the Catch caught (ErrorPath/CausePath). moto
        # hands a Parallel's Catch the branch's error but an empty cause, so only the
        # error is compared; the step's traceback is in its task's stderr.
        entered = [
            e["stateEnteredEventDetails"] for e in result.history if e["type"] == "FailStateEntered"
        ]
        assert [e["name"] for e in entered] == ["flowc.failed"]
        caught = json.loads(entered[0]["input"])["flowc_error"]
        assert caught["Error"] == "flowc.TaskFailed"
        assert "Cause" in caught
        assert "failing on purpose" in pool.runs_of("end")[0].stderr
        assert hooks[0].arg("--status") == "Failed"
        assert lines == ["announce", f"alarm ExitHooksFlow/{run_id} successful=False start=42"]
    else:
        assert result.status == "SUCCEEDED", _failure(result, pool)
        assert hooks[0].arg("--status") == "Succeeded"
        assert lines == [f"notify ExitHooksFlow/{run_id} successful=True result=42", "announce"]
    assert [r.step for r in pool.runs] == ["start", "end", "exit-hooks"]
