"""Emitted workflows, executed by the harness, give the same artifacts as
``flowc run --local``; a failing flow fails on both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.argo import FLOWS_DIR, REPO, SHAPES, artifacts, load_ir, manifest, shape_path
from tests.support.argo_harness import Harness
from tests.support.runs import run_local

# Parameter values for the override case, as `flowc run` options and as Argo arguments.
OVERRIDES = {
    "who": "flowc",
    "count": 2,
    "ratio": 0.5,
    "loud": True,
    "config": {"layers": [3, 4, 5]},
}


def _run_argo(
    path: str, root: Path, name: str, params: dict[str, str] | None = None, **options: Any
) -> tuple[Any, str]:
    text = manifest(path, datastore_root=str(root), extra={"kind": "Workflow"}, **options)
    result = Harness.from_yaml(text, cwd=str(REPO), workflow_name=name).submit(params)
    return result, name


EXTRA_FLOWS = ["branch_foreach", "name_clash", "user_strings"]
CASES = [shape_path(s) for s in SHAPES] + [
    str((FLOWS_DIR / f"{name}.py").relative_to(REPO)) for name in EXTRA_FLOWS
]


@pytest.mark.parametrize("path", CASES, ids=[Path(c).stem for c in CASES])
def test_same_artifacts_as_local_run(path: str, tmp_path: Path) -> None:
    shape = Path(path).stem
    flow = load_ir(path).name
    code, local_run = run_local(path, str(tmp_path / "local"))
    assert code == 0
    result, argo_run = _run_argo(path, tmp_path / "argo", f"{shape.replace('_', '-')}-x7k2p")
    assert result.phase == "Succeeded", (
        result.message + "\n" + "\n".join(n.stderr[-2000:] for n in result.nodes if n.stderr)
    )
    expected = artifacts(str(tmp_path / "local"), flow, local_run)
    got = artifacts(str(tmp_path / "argo"), flow, argo_run)
    assert got == expected
    steps = [n for n in result.containers() if not n.path.endswith(".onExit")]
    assert len(steps) == len(expected)


def test_parameters_given_at_submit(tmp_path: Path) -> None:
    from backends.argo import encode_parameter_value

    path = shape_path("parameters")
    options = [
        f"--{k}={v}" if not isinstance(v, bool) else f"--{k}"
        for k, v in OVERRIDES.items()
        if not isinstance(v, dict)
    ]
    code, local_run = run_local(
        path, str(tmp_path / "local"), *options, "--config", '{"layers": [3, 4, 5]}'
    )
    assert code == 0
    submitted = {k: encode_parameter_value(v) for k, v in OVERRIDES.items()}
    result, argo_run = _run_argo(path, tmp_path / "argo", "params-run", submitted)
    assert result.phase == "Succeeded", result.message
    local = artifacts(str(tmp_path / "local"), "ParametersFlow", local_run)
    assert artifacts(str(tmp_path / "argo"), "ParametersFlow", argo_run) == local
    assert local["end/_"]["result"]["layers"] == [3, 4, 5]


def test_failing_flow_fails(tmp_path: Path) -> None:
    path = str((FLOWS_DIR / "failing.py").relative_to(REPO))
    code, _ = run_local(path, str(tmp_path / "local"))
    assert code != 0
    result, run = _run_argo(path, tmp_path / "argo", "failing-run")
    assert result.phase == "Failed"
    phases = {n.path.rsplit(".", 1)[-1]: n.phase for n in result.nodes}
    assert phases["explode"] == "Failed"
    assert "end" not in phases or phases["end"] != "Succeeded"
    done = artifacts(str(tmp_path / "argo"), "FailingFlow", run)
    assert "start/_" in done and "end/_" not in done


def test_retry_passes_attempt_number(tmp_path: Path) -> None:
    path = str((FLOWS_DIR / "flaky.py").relative_to(REPO))
    result, run = _run_argo(path, tmp_path / "argo", "flaky-run")
    assert result.phase == "Succeeded", result.message
    flaky = next(n for n in result.nodes if n.path.endswith(".flaky"))
    assert flaky.attempts == 2
    assert flaky.args[flaky.args.index("--attempt") + 1] == "1"
    done = artifacts(str(tmp_path / "argo"), "FlakyFlow", run)
    assert done["end/_"]["succeeded_on"] == 1


@pytest.mark.parametrize(
    ("choice", "ran"),
    [
        ("skip", ["start", "merge", "end"]),
        ("work", ["start", "work", "merge", "end"]),
    ],
)
def test_switch_case_straight_to_merge(choice: str, ran: list[str], tmp_path: Path) -> None:
    """The merge runs whether the switch picks it directly or goes through ``work``, and
    finds its one input either way (the switch step is an input only when it chose it)."""
    from backends.argo import encode_parameter_value

    path = shape_path("switch_skip")
    code, local_run = run_local(path, str(tmp_path / "local"), "--choice", choice)
    assert code == 0
    submitted = {"choice": encode_parameter_value(choice)}
    result, argo_run = _run_argo(path, tmp_path / "argo", f"skip-{choice}", submitted)
    assert result.phase == "Succeeded", result.message
    expected = artifacts(str(tmp_path / "local"), "SwitchSkipFlow", local_run)
    got = artifacts(str(tmp_path / "argo"), "SwitchSkipFlow", argo_run)
    assert got == expected
    assert sorted(key.split("/")[0] for key in got) == sorted(ran)
    assert got["merge/_"]["summary"] == f"{choice}:{choice == 'work'}"


def test_tasks_store_their_cards(tmp_path: Path) -> None:
    """The shim renders cards inside the workflow's containers exactly as locally; the
    first carded task derives the run's graph for the DAG picture."""
    from tests.support.cards import CARD_FLOW, check_cards
    from tests.support.runs import local_store

    result, run = _run_argo(CARD_FLOW, tmp_path / "argo", "cards-run")
    assert result.phase == "Succeeded", (
        result.message + "\n" + "\n".join(n.stderr[-2000:] for n in result.nodes if n.stderr)
    )
    check_cards(local_store(str(tmp_path / "argo")), run)


@pytest.mark.parametrize(
    ("options", "run_args", "branch_name"),
    [
        ({"branch": "feature_x"}, ["--branch", "feature_x"], "test.feature_x"),
        ({"production": True}, ["--production"], "prod"),
        ({}, [], "user.flowc-tests"),
    ],
)
def test_project_branch_reaches_every_pod(
    options: dict[str, Any], run_args: list[str], branch_name: str, tmp_path: Path
) -> None:
    """``flowc compile --branch/--production`` (neither: the compiling user's branch) is
    what ``current.project_*`` says in every pod, as ``flowc run`` with the same options."""
    from tests.support.runs import PROJECT_FLOW, project_fields

    result, run = _run_argo(PROJECT_FLOW, tmp_path / "argo", "project-x7k2p", **options)
    assert result.phase == "Succeeded", result.message
    seen = project_fields(artifacts(str(tmp_path / "argo"), "ProjectFieldsFlow", run))
    code, local_run = run_local(PROJECT_FLOW, str(tmp_path / "local"), *run_args)
    assert code == 0
    locally = artifacts(str(tmp_path / "local"), "ProjectFieldsFlow", local_run)
    assert seen == project_fields(locally)
    assert seen == [
        {
            "project_name": "deploy_check",
            "branch_name": branch_name,
            "is_user_branch": not options,
            "is_production": "production" in options,
            "project_flow_name": f"deploy_check.{branch_name}.ProjectFieldsFlow",
        }
    ]


@pytest.mark.parametrize("fail", [False, True], ids=["success", "failure"])
def test_exit_handler_runs_the_hooks_of_the_outcome(fail: bool, tmp_path: Path) -> None:
    """``spec.onExit`` runs after the steps whatever their outcome, and the hooks
    ``{{workflow.status}}`` selects run with the run; a step failure still fails the
    workflow."""
    from backends.argo import encode_parameter_value

    log = tmp_path / "hooks.log"
    text = manifest(
        shape_path("exit_hooks"), datastore_root=str(tmp_path / "argo"), extra={"kind": "Workflow"}
    )
    name = "hooks-fail" if fail else "hooks-ok"
    harness = Harness.from_yaml(
        text, cwd=str(REPO), workflow_name=name, extra_env={"FLOWC_TEST_HOOK_LOG": str(log)}
    )
    result = harness.submit({"fail": encode_parameter_value(fail)})
    assert result.phase == ("Failed" if fail else "Succeeded"), result.message
    handler = next(n for n in result.nodes if n.path == f"{name}.onExit")
    assert handler.phase == "Succeeded", handler.stderr
    assert handler.args[handler.args.index("--status") + 1] == result.phase
    lines = log.read_text(encoding="utf-8").splitlines()
    if fail:
        assert lines == ["announce", f"alarm ExitHooksFlow/{name} successful=False start=42"]
    else:
        assert lines == [f"notify ExitHooksFlow/{name} successful=True result=42", "announce"]
