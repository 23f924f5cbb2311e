"""The harness is faithful enough that a broken manifest fails in it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.argo_harness import Harness, HarnessError
from tests.support.argo_templating import k8s_expand


def _workflow(
    templates: list[dict[str, Any]], params: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    spec: dict[str, Any] = {"entrypoint": "main", "templates": templates}
    if params:
        spec["arguments"] = {"parameters": params}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "t-"},
        "spec": spec,
    }


def _echo(
    name: str,
    code: str,
    inputs: list[str] = (),
    outputs: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    template: dict[str, Any] = {
        "name": name,
        "container": {
            "image": "python",
            "command": ["python", "-c", code],
            **extra.pop("container", {}),
        },
    }
    if inputs:
        template["inputs"] = {"parameters": [{"name": i} for i in inputs]}
    if outputs:
        template["outputs"] = {
            "parameters": [{"name": k, "valueFrom": {"path": v}} for k, v in outputs.items()]
        }
    template.update(extra)
    return template


def _run(manifest: dict[str, Any], tmp_path: Any, **params: str) -> Any:
    return Harness(manifest, cwd=str(tmp_path)).submit(params or None)


def test_wrong_parameter_reference_raises(tmp_path: Any) -> None:
    wf = _workflow(
        [
            {
                "name": "main",
                "dag": {
                    "tasks": [
                        {
                            "name": "a",
                            "template": "a",
                            "arguments": {
                                "parameters": [{"name": "x", "value": "{{inputs.parameters.nope}}"}]
                            },
                        }
                    ]
                },
            },
            _echo("a", "pass", ["x"]),
        ]
    )
    with pytest.raises(HarnessError, match="failed to resolve"):
        _run(wf, tmp_path)


def test_undeclared_input_raises(tmp_path: Any) -> None:
    wf = _workflow(
        [
            {"name": "main", "dag": {"tasks": [{"name": "a", "template": "a"}]}},
            _echo(
                "a",
                "import sys; print(sys.argv)",
                container={"args": ["{{inputs.parameters.idx}}"]},
            ),
        ]
    )
    with pytest.raises(HarnessError, match=r"inputs\.parameters\.idx"):
        _run(wf, tmp_path)


def test_depends_on_unknown_task_raises(tmp_path: Any) -> None:
    wf = _workflow(
        [
            {
                "name": "main",
                "dag": {"tasks": [{"name": "a", "template": "a", "depends": "b.Succeeded"}]},
            },
            _echo("a", "pass"),
        ]
    )
    with pytest.raises(HarnessError, match="unknown tasks"):
        _run(wf, tmp_path)


def test_retries_needs_retry_strategy(tmp_path: Any) -> None:
    wf = _workflow(
        [
            {"name": "main", "dag": {"tasks": [{"name": "a", "template": "a"}]}},
            _echo("a", "pass", container={"args": ["{{retries}}"]}),
        ]
    )
    with pytest.raises(HarnessError, match="retries"):
        _run(wf, tmp_path)


def test_when_skip_and_depends_results(tmp_path: Any) -> None:
    wf = _workflow(
        [
            {
                "name": "main",
                "dag": {
                    "tasks": [
                        {"name": "pick", "template": "pick"},
                        {
                            "name": "yes",
                            "template": "ok",
                            "depends": "pick.Succeeded",
                            "when": "'{{tasks.pick.outputs.parameters.choice}}' == 'yes'",
                        },
                        {
                            "name": "no",
                            "template": "ok",
                            "depends": "pick.Succeeded",
                            "when": "'{{tasks.pick.outputs.parameters.choice}}' == 'no'",
                        },
                        {"name": "after-no", "template": "ok", "depends": "no.Succeeded"},
                        {"name": "bare", "template": "ok", "depends": "no"},
                        {
                            "name": "merge",
                            "template": "ok",
                            "depends": "yes.Succeeded || no.Succeeded",
                        },
                    ]
                },
            },
            _echo(
                "pick",
                "import sys; open(sys.argv[1], 'w').write('yes\\n')",
                outputs={"choice": "/tmp/out/choice"},
                container={"args": ["/tmp/out/choice"]},
            ),
            _echo("ok", "pass"),
        ]
    )
    result = _run(wf, tmp_path)
    phases = {n.path.rsplit(".", 1)[1]: n.phase for n in result.nodes}
    assert result.phase == "Succeeded"
    assert phases == {
        "pick": "Succeeded",
        "yes": "Succeeded",
        "no": "Skipped",
        "after-no": "Omitted",
        "bare": "Succeeded",
        "merge": "Succeeded",
    }


def test_with_sequence_item_and_retries(tmp_path: Any) -> None:
    marker = tmp_path / "marker"
    wf = _workflow(
        [
            {
                "name": "main",
                "dag": {
                    "tasks": [
                        {
                            "name": "fan",
                            "template": "leaf",
                            "withSequence": {"count": "3"},
                            "arguments": {"parameters": [{"name": "i", "value": "{{item}}"}]},
                        },
                        {
                            "name": "list",
                            "template": "leaf",
                            "withParam": '["a", "b"]',
                            "arguments": {"parameters": [{"name": "i", "value": "p{{item}}"}]},
                        },
                    ]
                },
            },
            _echo(
                "leaf",
                f"import sys, os; p = {str(marker)!r} + sys.argv[1]\n"
                "first = not os.path.exists(p); open(p, 'a').write(sys.argv[2])\n"
                "sys.exit(1 if first else 0)",
                ["i"],
                container={"args": ["{{inputs.parameters.i}}", "{{retries}}"]},
                retryStrategy={"limit": "1"},
            ),
        ]
    )
    result = _run(wf, tmp_path)
    assert result.phase == "Succeeded"
    for item in ("0", "1", "2", "pa", "pb"):
        assert (tmp_path / f"marker{item}").read_text() == "01"


def test_failure_stops_new_tasks(tmp_path: Any) -> None:
    wf = _workflow(
        [
            {
                "name": "main",
                "dag": {
                    "tasks": [
                        {"name": "bad", "template": "bad"},
                        {"name": "later", "template": "ok", "depends": "bad"},
                    ]
                },
            },
            _echo("bad", "raise SystemExit(3)"),
            _echo("ok", "pass"),
        ]
    )
    result = _run(wf, tmp_path)
    assert result.phase == "Failed"
    assert [n.phase for n in result.nodes if n.path.endswith("later")] in ([], ["Omitted"])


def test_missing_output_file_is_an_error(tmp_path: Any) -> None:
    wf = _workflow(
        [
            {"name": "main", "dag": {"tasks": [{"name": "a", "template": "a"}]}},
            _echo("a", "pass", outputs={"x": "/tmp/none"}),
        ]
    )
    assert _run(wf, tmp_path).phase == "Failed"


def test_global_parameters_are_rescanned(tmp_path: Any) -> None:
    out = tmp_path / "out"
    wf = _workflow(
        [
            {"name": "main", "dag": {"tasks": [{"name": "a", "template": "a"}]}},
            _echo(
                "a",
                f"import sys; open({str(out)!r}, 'w').write(sys.argv[1])",
                container={"args": ["{{workflow.parameters.p}}"]},
            ),
        ],
        params=[{"name": "p", "value": "x"}],
    )
    _run(wf, tmp_path, p="name={{workflow.name}}")
    assert out.read_text() == "name=wf-test"


def test_kubernetes_expansion() -> None:
    env = {"A": "1"}
    assert k8s_expand("$(A)$$(A)$(B)$$$", env) == "1$(A)$(B)$$"
    assert k8s_expand("end$", env) == "end$"
    assert k8s_expand("$(A", env) == "$(A"


def test_reference_to_a_task_not_depended_on_raises(tmp_path: Any) -> None:
    wf = _workflow(
        [
            {
                "name": "main",
                "dag": {
                    "tasks": [
                        {"name": "a", "template": "out"},
                        {
                            "name": "b",
                            "template": "ok",
                            "when": "'{{tasks.a.outputs.parameters.x}}' == 'x'",
                        },
                    ]
                },
            },
            _echo(
                "out",
                "import sys; open(sys.argv[1], 'w').write('x')",
                outputs={"x": "/tmp/out/x"},
                container={"args": ["/tmp/out/x"]},
            ),
            _echo("ok", "pass"),
        ]
    )
    with pytest.raises(HarnessError, match="failed to resolve"):
        _run(wf, tmp_path)


def _jobset_workflow(code: str, **spec: Any) -> dict[str, Any]:
    """A workflow whose one task creates a JobSet of a control pod and two workers, each
    running ``code``."""
    import json

    index = "metadata.annotations['jobset.sigs.k8s.io/job-index']"
    pod = {
        "spec": {
            "restartPolicy": "Never",
            "containers": [
                {
                    "name": "main",
                    "image": "python",
                    "command": ["python", "-c", code],
                    "env": [{"name": "JOB_INDEX", "valueFrom": {"fieldRef": {"fieldPath": index}}}],
                }
            ],
        }
    }
    job = {"backoffLimit": 0, "completions": 1, "parallelism": 1, "template": pod}
    jobset = {
        "apiVersion": "jobset.x-k8s.io/v1alpha2",
        "kind": "JobSet",
        "metadata": {"name": "js-t"},
        "spec": {
            "replicatedJobs": [
                {"name": "control", "replicas": 1, "template": {"spec": job}},
                {"name": "worker", "replicas": 2, "template": {"spec": job}},
            ],
            **spec,
        },
    }
    return _workflow(
        [
            {"name": "main", "dag": {"tasks": [{"name": "gang", "template": "gang"}]}},
            {
                "name": "gang",
                "resource": {
                    "action": "create",
                    "manifest": json.dumps(jobset),
                    "successCondition": "status.terminalState == Completed",
                    "failureCondition": "status.terminalState == Failed",
                },
            },
        ]
    )


def test_jobset_pods_run_with_their_job_index(tmp_path: Any) -> None:
    code = (
        "import os, pathlib; pathlib.Path(os.environ['FLOWC_OUT'], "
        "os.environ['JOB_INDEX'] + '-' + str(os.getpid())).touch()"
    )
    wf = _jobset_workflow(code)
    out = tmp_path / "out"
    out.mkdir()
    result = Harness(wf, cwd=str(tmp_path), extra_env={"FLOWC_OUT": str(out)}).submit()
    assert result.phase == "Succeeded", result.message
    indexes = sorted(p.name.split("-")[0] for p in out.iterdir())
    assert indexes == ["0", "0", "1"]  # the control's job 0, the workers' jobs 0 and 1


def test_a_failed_gang_pod_fails_the_jobset_after_its_restarts(tmp_path: Any) -> None:
    code = "import os, sys; sys.exit(1 if os.environ['JOB_INDEX'] == '1' else 0)"
    result = _run(_jobset_workflow(code, failurePolicy={"maxRestarts": 1}), tmp_path)
    assert result.phase == "Failed"
    assert "restart 1" in result.message
    assert len([n for n in result.containers() if "/js-t-" in n.path]) == 6


def test_jobset_waiting_on_other_conditions_raises(tmp_path: Any) -> None:
    wf = _jobset_workflow("pass")
    wf["spec"]["templates"][1]["resource"]["successCondition"] = "status.succeeded > 0"
    with pytest.raises(HarnessError, match="terminalState"):
        _run(wf, tmp_path)


def test_unmodelled_pod_field_raises(tmp_path: Any) -> None:
    wf = _jobset_workflow("pass")
    import json

    resource = wf["spec"]["templates"][1]["resource"]
    jobset = json.loads(resource["manifest"])
    jobset["spec"]["replicatedJobs"][0]["template"]["spec"]["template"]["spec"]["volumes"] = []
    resource["manifest"] = json.dumps(jobset)
    with pytest.raises(HarnessError, match="volumes"):
        _run(wf, tmp_path)


def _status_writer(name: str, target: Any) -> dict[str, Any]:
    code = "import sys; open(sys.argv[1], 'w').write(sys.argv[2])"
    return _echo(name, code, container={"args": [str(target), "{{workflow.status}}"]})


@pytest.mark.parametrize(("code", "phase"), [(0, "Succeeded"), (3, "Failed")])
def test_exit_handler_runs_after_either_outcome(code: int, phase: str, tmp_path: Any) -> None:
    wf = _workflow(
        [
            {"name": "main", "dag": {"tasks": [{"name": "a", "template": "work"}]}},
            _echo("work", f"import sys; sys.exit({code})"),
            _status_writer("bye", tmp_path / "status"),
        ]
    )
    wf["spec"]["onExit"] = "bye"
    result = _run(wf, tmp_path)
    assert result.phase == phase
    assert (tmp_path / "status").read_text() == phase
    assert result.nodes[-1].path.endswith(".onExit")


def test_failing_exit_handler_fails_the_workflow(tmp_path: Any) -> None:
    wf = _workflow(
        [
            {"name": "main", "dag": {"tasks": [{"name": "a", "template": "work"}]}},
            _echo("work", "pass"),
            _echo("bye", "import sys; sys.exit(1)"),
        ]
    )
    wf["spec"]["onExit"] = "bye"
    assert _run(wf, tmp_path).phase == "Failed"


def test_workflow_status_outside_the_exit_handler_raises(tmp_path: Any) -> None:
    wf = _workflow(
        [
            {"name": "main", "dag": {"tasks": [{"name": "a", "template": "work"}]}},
            _status_writer("work", tmp_path / "status"),
        ]
    )
    with pytest.raises(HarnessError):
        _run(wf, tmp_path)


def _reads_a(depends: str | None) -> dict[str, Any]:
    """A DAG where ``c`` passes a's output on: ``c`` depends on ``depends``."""
    c: dict[str, Any] = {
        "name": "c",
        "template": "show",
        "arguments": {"parameters": [{"name": "v", "value": "{{tasks.a.outputs.parameters.x}}"}]},
    }
    if depends:
        c["depends"] = depends
    return _workflow(
        [
            {
                "name": "main",
                "dag": {
                    "tasks": [
                        {"name": "a", "template": "write"},
                        {"name": "b", "template": "ok", "depends": "a"},
                        c,
                    ]
                },
            },
            _echo(
                "write",
                "import sys; open(sys.argv[1], 'w').write('42')",
                outputs={"x": "/tmp/out/x"},
                container={"args": ["/tmp/out/x"]},
            ),
            _echo("ok", "pass"),
            _echo("show", "pass", inputs=["v"], container={"args": ["{{inputs.parameters.v}}"]}),
        ]
    )


def test_outputs_of_indirect_ancestors_only(tmp_path: Any) -> None:
    """A task sees the outputs of every task it depends on through others, as Argo's
    validation allows, and no other task's."""
    result = _run(_reads_a("b"), tmp_path)
    assert result.phase == "Succeeded", result.message
    shown = next(n for n in result.nodes if n.path.endswith(".c"))
    assert shown.args[-1] == "42" and shown.inputs == {"v": "42"}
    with pytest.raises(HarnessError, match="failed to resolve"):
        _run(_reads_a(None), tmp_path)
