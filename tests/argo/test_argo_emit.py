"""Every graph shape compiles to a manifest that validates, round-trips and matches its
golden file. Regenerate the golden files with ``FLOWC_REGEN=1 .venv/bin/python -m pytest
tests/argo/test_argo_emit.py``."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from backends.argo._names import is_dns1123
from flowc.diagnostics import Severity
from tests.support.argo import REPO, SHAPES, emit, manifest, shape_path
from tests.support.golden import regenerating

GOLDEN = REPO / "tests" / "argo" / "golden"
KINDS = ("WorkflowTemplate", "Workflow", "CronWorkflow")


def _templates(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc["spec"]["workflowSpec"] if doc["kind"] == "CronWorkflow" else doc["spec"]
    templates: list[dict[str, Any]] = spec["templates"]
    return templates


@pytest.mark.parametrize("shape", SHAPES)
def test_golden(shape: str) -> None:
    text = manifest(shape_path(shape))
    path = GOLDEN / f"{shape}.yaml"
    if regenerating():
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file; run FLOWC_REGEN=1 pytest {__file__}"
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.name} differs; if the change is intended: FLOWC_REGEN=1 pytest tests/argo"
    )


def test_golden_cron_workflow_with_every_decorator(argo_schema_validator: Any) -> None:
    from tests.support.argo import FLOWS_DIR

    flow = str((FLOWS_DIR / "all_decorators.py").relative_to(REPO))
    text = manifest(flow, extra={"kind": "CronWorkflow", "branch": "staging"})
    path = GOLDEN / "all_decorators.cronworkflow.yaml"
    if regenerating():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
    assert list(argo_schema_validator.iter_errors(yaml.safe_load(text))) == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shape", SHAPES)
def test_valid_and_round_trips(shape: str, kind: str, argo_schema_validator: Any) -> None:
    from hera.workflows import models

    result = emit(shape_path(shape), extra={"kind": kind})
    if kind == "CronWorkflow" and shape != "decorators":
        # Only the decorators shape has @schedule; the others must be refused clearly.
        assert not result.files
        assert [d.code for d in result.diagnostics] == ["FC305"]
        return
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert not errors and len(result.files) == 1
    text = result.files[0].content
    documents = list(yaml.safe_load_all(text))
    # A scheduled WorkflowTemplate comes with the CronWorkflow that starts it.
    scheduled = kind == "WorkflowTemplate" and shape == "decorators"
    assert [d["kind"] for d in documents] == [kind] + (["CronWorkflow"] if scheduled else [])
    for doc in documents:
        problems = [e.message[:300] for e in argo_schema_validator.iter_errors(doc)]
        assert problems == []
        model = getattr(models, doc["kind"]).model_validate(doc)
        again = model.model_dump(by_alias=True, exclude_none=True, mode="json")
        assert _canonical(again) == _canonical(doc)
    # Deterministic: a second emission is byte-identical.
    assert emit(shape_path(shape), extra={"kind": kind}).files[0].content == text


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


@pytest.mark.parametrize("shape", SHAPES)
def test_names_are_kubernetes_names(shape: str) -> None:
    doc = next(yaml.safe_load_all(manifest(shape_path(shape))))
    assert is_dns1123(doc["metadata"]["name"])
    names = [t["name"] for t in _templates(doc)]
    assert len(names) == len(set(names))
    for template in _templates(doc):
        assert is_dns1123(template["name"]), template["name"]
        for task in template.get("dag", {}).get("tasks", []):
            assert is_dns1123(task["name"]), task["name"]


@pytest.mark.parametrize("shape", SHAPES)
def test_bytes_per_step(shape: str) -> None:
    from tests.support.argo import load_ir

    text = manifest(shape_path(shape))
    steps = len(load_ir(shape_path(shape)).steps)
    assert len(text.encode()) / steps <= 2048


def test_foreach_fans_out_over_count() -> None:
    doc = yaml.safe_load(manifest(shape_path("nested_foreach3")))
    by_name = {t["name"]: t for t in _templates(doc)}
    fan = next(t for t in by_name["main"]["dag"]["tasks"] if "withSequence" in t)
    assert fan["withSequence"] == {"count": "{{tasks.start.outputs.parameters.count}}"}
    assert fan["arguments"]["parameters"] == [{"name": "idx", "value": "{{item}}"}]
    inner = next(t for t in by_name[fan["template"]]["dag"]["tasks"] if "withSequence" in t)
    assert inner["arguments"]["parameters"][0]["value"] == "{{inputs.parameters.idx}}.{{item}}"
    assert by_name["start"]["outputs"]["parameters"][0]["valueFrom"]["path"] == "/tmp/flowc/count"


def test_switch_case_straight_to_merge_runs_merge_either_way() -> None:
    """A merge that is both a switch case and reached through another step must run when
    it is chosen *or* when that other step ran (a plain ``when`` would skip it)."""
    doc = yaml.safe_load(manifest(shape_path("switch_skip")))
    tasks = {t["name"]: t for t in _templates(doc)[0]["dag"]["tasks"]}
    assert tasks["merge"]["depends"] == "start.Succeeded || work.Succeeded"
    assert tasks["merge"]["when"] == (
        "'{{tasks.start.outputs.parameters.switch}}' == 'merge' || "
        "'{{tasks.work.status}}' == 'Succeeded'"
    )


@pytest.mark.parametrize("name", sorted(p.stem for p in (REPO / "tests/argo/flows").glob("*.py")))
def test_test_flows_valid_and_round_trip(name: str, argo_schema_validator: Any) -> None:
    from hera.workflows import models

    kind = "CronWorkflow" if name == "all_decorators" else "WorkflowTemplate"
    text = manifest(f"tests/argo/flows/{name}.py", extra={"kind": kind})
    for doc in yaml.safe_load_all(text):
        assert [e.message[:300] for e in argo_schema_validator.iter_errors(doc)] == []
        model = getattr(models, doc["kind"]).model_validate(doc)
        again = model.model_dump(by_alias=True, exclude_none=True, mode="json")
        assert _canonical(again) == _canonical(doc)
