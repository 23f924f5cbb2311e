"""``current`` in a task, and ``@project``'s names with --branch/--production."""

from __future__ import annotations

import pytest

from runtime_shim.exceptions import MetaflowException
from runtime_shim.project import project_environment, project_info
from tests.support.runtime import LocalRun, run_local

FLOW = "tests/runtime/flows/current_fields.py"


def _seen(result: LocalRun) -> dict[str, object]:
    from flowc.client import Run

    run = Run(
        f"CurrentFieldsFlow/{result.run_id}",
        result.datastore,
        _namespace_check=False,
    )
    data = run["start"].task.data
    return {
        **data.seen,
        "tags": data.tags,
        "task": data.task_pathspec,
        "run": data.run_pathspec,
        "has_project": data.has_project,
    }


def test_current_in_a_task(workdir: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METAFLOW_USER", "tester")
    result = run_local(FLOW, cwd=workdir)
    assert result.ok
    seen = _seen(result)
    pathspec = f"CurrentFieldsFlow/{result.run_id}/start/{seen['task_id']}"
    assert seen == {
        "flow_name": "CurrentFieldsFlow",
        "run_id": result.run_id,
        "step_name": "start",
        "task_id": seen["task_id"],
        "retry_count": 0,
        "origin_run_id": None,
        "namespace": "user:tester",
        "username": "tester",
        "project_name": "fields",
        "branch_name": "user.tester",
        "is_user_branch": True,
        "is_production": False,
        "project_flow_name": "fields.user.tester.CurrentFieldsFlow",
        "is_running_flow": True,
        "parameter_names": ("alpha",),
        "trigger": None,
        "pathspec": pathspec,
        "tags": set(),
        "task": pathspec,
        "run": f"CurrentFieldsFlow/{result.run_id}",
        "has_project": True,
    }


@pytest.mark.parametrize(
    ("options", "branch", "production"),
    [
        ({"branch": "feature_x"}, "test.feature_x", False),
        ({"production": True}, "prod", True),
        ({"branch": "feature_x", "production": True}, "prod.feature_x", True),
    ],
)
def test_branch_and_production_options(
    workdir: str,
    monkeypatch: pytest.MonkeyPatch,
    options: dict[str, object],
    branch: str,
    production: bool,
) -> None:
    monkeypatch.setenv("METAFLOW_USER", "tester")
    result = run_local(FLOW, cwd=workdir, **options)
    assert result.ok
    seen = _seen(result)
    assert seen["branch_name"] == branch
    assert seen["is_production"] is production
    assert seen["is_user_branch"] is False
    assert seen["project_flow_name"] == f"fields.{branch}.CurrentFieldsFlow"


def test_project_names_follow_metaflows_rules() -> None:
    env = {"METAFLOW_USER": "ann"}
    info = project_info("F", {"name": "p"}, env)
    assert info is not None and info.project_flow_name == "p.user.ann.F"
    owner = project_info("F", {"name": "p"}, {**env, "METAFLOW_OWNER": "svc"})
    assert owner is not None and owner.branch_name == "user.svc"
    given = project_info("F", {"name": "p", "branch": "b", "production": True}, env)
    assert given is not None and given.branch_name == "prod.b"
    from_env = project_info("F", {"name": "p"}, {**env, **project_environment("b", False)})
    assert from_env is not None and from_env.branch_name == "test.b"
    assert project_info("F", None, env) is None
    for bad, words in [
        ({"name": "Bad-Name"}, "lowercase alphanumeric"),
        ({"name": ""}, "needs a name"),
        ({"name": "p", "branch": "Has Space"}, "branch name must contain"),
        ({"name": "x" * 129}, "shorter than 128"),
    ]:
        with pytest.raises(MetaflowException, match=words):
            project_info("F", bad, env)
    with pytest.raises(MetaflowException, match="both a command-line argument"):
        project_info("F", {"name": "p", "branch": "a"}, {**env, "METAFLOW_BRANCH": "b"})
