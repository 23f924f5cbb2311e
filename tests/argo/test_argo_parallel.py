"""``@parallel`` on Argo: the gang is a JobSet (backends/argo/_jobset.py), valid against the
JobSet CRD's published OpenAPI schema, and run by the harness as the JobSet controller
would run its pods (tests/support/argo_jobset.py; no Kubernetes here)."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.argo import FLOWS_DIR, REPO, artifacts, manifest
from tests.support.argo_harness import Harness, RunResult
from tests.support.runs import run_local

CRD = REPO / "tools" / "jobset-crd" / "jobset.x-k8s.io_jobsets.yaml"
GANG = str((FLOWS_DIR / "gang.py").relative_to(REPO))
LOCAL_GANG = "tests/runtime/flows/gang.py"


@functools.cache
def _jobset_schema() -> dict[str, Any]:
    if not CRD.exists():
        pytest.fail(f"{CRD} is missing: run tools/setup_test_tools.sh")
    crd = yaml.safe_load(CRD.read_text())
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1alpha2"]
    schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]
    return schema


def _schema_errors(jobset: dict[str, Any]) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(_jobset_schema())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(jobset)]


def _submit(path: str, root: Path, name: str, **params: str) -> RunResult:
    text = manifest(path, datastore_root=str(root), extra={"kind": "Workflow"})
    harness = Harness.from_yaml(text, cwd=str(REPO), workflow_name=name)
    result = harness.submit(params or None)
    assert result.phase == "Succeeded", (
        result.message + "\n" + "\n".join(n.stderr[-2000:] for n in result.nodes if n.stderr)
    )
    assert harness.created, "no JobSet was created"
    for jobset in harness.created:
        assert _schema_errors(jobset) == []
    return result


def _control_address(uid: str) -> str:
    name = f"js-{uid}-0"
    return f"{name}-control-0-0.{name}"


def test_gang_sees_its_place_and_the_join_sees_every_node(tmp_path: Path) -> None:
    code, local_run = run_local(LOCAL_GANG, str(tmp_path / "local"))
    assert code == 0
    result = _submit(LOCAL_GANG, tmp_path / "argo", "gang-k3x9q")
    local = artifacts(str(tmp_path / "local"), "GangFlow", local_run)
    got = artifacts(str(tmp_path / "argo"), "GangFlow", "gang-k3x9q")
    address = _control_address(Harness({}, cwd="").uid)
    # The same tasks and artifacts as a local run, but for the control node's address.
    expected = copy.deepcopy(local)
    for values in expected.values():
        if "main_ip" in values:
            values["main_ip"] = address
        if "gathered" in values:
            values["gathered"] = [(*g[:4], address, *g[5:]) for g in values["gathered"]]
    assert got == expected
    assert got["join/_"]["gathered"] == [(k, 3, k, "gang.0", address, True) for k in range(3)]
    pods = [n for n in result.containers() if "/js-" in n.path]
    assert sorted(n.path.rsplit("/", 1)[1] for n in pods) == [
        f"js-{Harness({}, cwd='').uid}-0-{job}"
        for job in ("control-0-0", "worker-0-0", "worker-1-0")
    ]


@pytest.mark.parametrize("width", [2, 4])
def test_width_from_a_parameter_and_a_restart_of_the_whole_gang(width: int, tmp_path: Path) -> None:
    from backends.argo import encode_parameter_value

    result = _submit(GANG, tmp_path, f"gang-w{width}", width=encode_parameter_value(width))
    join = artifacts(str(tmp_path), "ArgoGangFlow", f"gang-w{width}")["join/_"]
    address = _control_address(Harness({}, cwd="").uid)
    assert [g[:4] for g in join["gathered"]] == [
        (k, width, "train.0", address) for k in range(width)
    ]
    assert {g[5] for g in join["gathered"]} == {"teal"}  # @environment reached every pod
    assert join["gathered"][1][4] == 1  # node 1 succeeded on the JobSet's restart
    pods = [n for n in result.containers() if "/js-" in n.path]
    assert len(pods) == 2 * width  # the failed first gang, then the restarted one


def test_emitted_jobset_carries_the_steps_settings(tmp_path: Path) -> None:
    text = manifest(GANG, extra={"kind": "Workflow"})
    harness = Harness.from_yaml(text, cwd=str(REPO), workflow_name="gang-s")
    (template,) = [t for t in harness.spec()["templates"] if "resource" in t]
    jobset = yaml.safe_load(
        template["resource"]["manifest"].replace("{{=asInt(inputs.parameters.nodes) - 1}}", "2")
    )
    assert _schema_errors(jobset) == []
    assert jobset["spec"]["failurePolicy"] == {"maxRestarts": 1}
    control, worker = jobset["spec"]["replicatedJobs"]
    assert (control["name"], control["replicas"], worker["name"]) == ("control", 1, "worker")
    container = worker["template"]["spec"]["template"]["spec"]["containers"][0]
    requests = {"cpu": "2", "memory": "2048M", "ephemeral-storage": "10240M"}
    assert container["resources"]["requests"] == requests
    assert {"name": "GANG_COLOUR", "value": "teal"} in container["env"]
    assert container["ports"] == [{"containerPort": 29500}]
    assert {"name": "MF_MASTER_PORT", "value": "29500"} in container["env"]
    assert worker["template"]["spec"]["template"]["metadata"] == {"labels": {"team": "ml"}}


def test_schema_check_can_fail() -> None:
    """A JobSet the API server would refuse is refused here too."""
    text = manifest(LOCAL_GANG, extra={"kind": "Workflow"})
    (template,) = [t for t in yaml.safe_load(text)["spec"]["templates"] if "resource" in t]
    jobset = yaml.safe_load(template["resource"]["manifest"])
    jobset["spec"]["replicatedJobs"][1]["replicas"] = "two"
    jobset["spec"]["successPolicy"] = {"operator": "Most"}
    errors = _schema_errors(jobset)
    assert any("'two' is not of type 'integer'" in e for e in errors)
    assert any("'Most' is not one of" in e for e in errors)


def test_golden_gang_workflow_template(argo_schema_validator: Any) -> None:
    """The gang flow's WorkflowTemplate: its golden file (``FLOWC_REGEN=1 .venv/bin/python
    -m pytest tests/argo/test_argo_parallel.py`` regenerates it), valid against Argo's
    schema, unchanged through hera's model, the same bytes on a second compile."""
    from hera.workflows import models

    from tests.support.golden import regenerating

    text = manifest(GANG)
    path = REPO / "tests" / "argo" / "golden" / "gang.yaml"
    if regenerating():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
    assert manifest(GANG) == text
    doc = yaml.safe_load(text)
    assert [e.message[:300] for e in argo_schema_validator.iter_errors(doc)] == []
    again = models.WorkflowTemplate.model_validate(doc).model_dump(
        by_alias=True, exclude_none=True, mode="json"
    )
    assert again == doc
