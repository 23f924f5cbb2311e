"""``backends/project.py``: the deployed name of a ``@project`` flow on every target, and
the diagnostics for a branch or a name a target cannot take."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.base import TargetOptions, get_backend
from backends.project import deployed_flow_name, engine_name
from flowc.compiler import analyze_file
from flowc.ir import FlowIR

FLOW = """\
from flowc import FlowSpec, project, step


@project(name={project!r}{extra})
class {flow}(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def _ir(tmp_path: Path, project: str = "shop", flow: str = "TrainFlow", extra: str = "") -> FlowIR:
    path = tmp_path / "flow.py"
    path.write_text(FLOW.format(project=project, flow=flow, extra=extra), encoding="utf-8")
    ir = analyze_file(str(path)).ir
    assert ir is not None
    return ir


def _emit(ir: FlowIR, target: str, **options: object) -> tuple[list[str], list[tuple[str, int]]]:
    settings = TargetOptions(datastore_root="s3://b/p", **options)  # type: ignore[arg-type]
    result = get_backend(target).emit(ir, settings)
    found = [(d.code, d.span.start.line if d.span else 0) for d in result.diagnostics]
    return [f.path for f in result.files], [f for f in found if f[0] != "FC306"]


def test_deployed_flow_name_follows_metaflow() -> None:
    assert deployed_flow_name("F", "p", branch="x") == "p.test.x.F"
    assert deployed_flow_name("F", "p", production=True) == "p.prod.F"
    assert deployed_flow_name("F", "p", branch="x", production=True) == "p.prod.x.F"
    assert deployed_flow_name("F", "p", user="ann") == "p.user.ann.F"
    assert engine_name("argo", "my_p.test.x.TrainFlow") == "my-p-test-x-trainflow"
    assert engine_name("stepfunctions", "p.prod.F") == "p.prod.F"


@pytest.mark.parametrize(
    ("target", "branch", "production", "path"),
    [
        ("argo", "x", False, "shop-test-x-trainflow.workflowtemplate.yaml"),
        ("argo", None, True, "shop-prod-trainflow.workflowtemplate.yaml"),
        ("argo", None, False, "shop-user-flowc-tests-trainflow.workflowtemplate.yaml"),
        ("stepfunctions", "x", False, "shop.test.x.TrainFlow.asl.json"),
        ("stepfunctions", "x", True, "shop.prod.x.TrainFlow.asl.json"),
        ("airflow", "x", False, "shop.test.x.TrainFlow.py"),
        ("airflow", None, True, "shop.prod.TrainFlow.py"),
    ],
)
def test_each_target_names_the_deployment(
    tmp_path: Path, target: str, branch: str | None, production: bool, path: str
) -> None:
    files, found = _emit(_ir(tmp_path), target, branch=branch, production=production)
    assert (files, found) == ([path], [])


@pytest.mark.parametrize("target", ["argo", "stepfunctions", "airflow"])
def test_bad_or_conflicting_branch_is_a_diagnostic(tmp_path: Path, target: str) -> None:
    assert _emit(_ir(tmp_path), target, branch="Not-Valid") == ([], [("FC305", 4)])
    named = _ir(tmp_path, extra=", branch='a'")
    assert _emit(named, target, branch="b") == ([], [("FC305", 4)])
    assert _emit(named, target, branch="a")[1] == []


@pytest.mark.parametrize(("target", "length"), [("argo", 64), ("stepfunctions", 81)])
def test_too_long_name_is_a_diagnostic_not_a_truncation(
    tmp_path: Path, target: str, length: int
) -> None:
    # shop.test.x.<flow>: 12 characters before the flow name; one past the limit fails.
    ir = _ir(tmp_path, flow="F" * (length - 12))
    assert _emit(ir, target, branch="x") == ([], [("FC304", 4)])
    assert _emit(_ir(tmp_path, flow="F" * (length - 13)), target, branch="x")[1] == []
