"""Decorators, options and resource kinds map to the right Argo fields; what Argo cannot
express is reported at the source line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from backends.argo._checks import APPLY_ANNOTATION_LIMIT, SIZE_LIMIT, _cycle, check_size
from backends.argo._names import MAX_CRON_NAME, NameAllocator, dns1123, is_dns1123
from tests.support.argo import FLOWS_DIR, REPO, emit, manifest, shape_path

FLOW = str((FLOWS_DIR / "all_decorators.py").relative_to(REPO))


def _doc(path: str = FLOW, **options: Any) -> dict[str, Any]:
    return dict(next(yaml.safe_load_all(manifest(path, **options))))


def _template(doc: dict[str, Any], name: str) -> dict[str, Any]:
    spec = doc["spec"].get("workflowSpec", doc["spec"])
    return next(t for t in spec["templates"] if t["name"] == name)


def test_step_decorators_map_to_container_fields() -> None:
    start = _template(_doc(), "start")
    container = start["container"]
    assert container["image"] == "registry.example.com/train:1.2"
    # The deployment's user branch first (backends/project.py), then @environment.
    assert container["env"] == [
        {"name": "METAFLOW_OWNER", "value": "flowc-tests"},
        {"name": "MODE", "value": "train"},
        # Every container is marked as a deployed Argo task (runtime_shim/argo_events.py).
        {
            "name": "ARGO_WORKFLOW_TEMPLATE",
            "value": "fraud-model-user-flowc-tests-alldecoratorsflow",
        },
    ]
    assert container["envFrom"] == [
        {"secretRef": {"name": "db-creds"}},
        {"secretRef": {"name": "api-key"}},
    ]
    # @resources and @kubernetes combine as Metaflow does: the larger request wins.
    assert container["resources"] == {
        "limits": {"nvidia.com/gpu": "2"},
        "requests": {"cpu": "2", "memory": "16000M", "ephemeral-storage": "20000M"},
    }
    assert start["retryStrategy"] == {
        "limit": "3",
        "retryPolicy": "Always",
        "backoff": {"duration": "60s"},
    }
    assert container["args"][container["args"].index("--attempt") + 1] == "{{retries}}"
    assert start["activeDeadlineSeconds"] == 330
    assert start["nodeSelector"] == {"pool": "gpu"}
    assert start["serviceAccountName"] == "trainer"
    assert start["tolerations"] == [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert container["imagePullPolicy"] == "Always"
    assert start["metadata"] == {
        "labels": {"team": "fraud"},
        "annotations": {"owner": 'Ada "ML" Lovelace'},
    }
    end = _template(_doc(), "end")
    assert "retryStrategy" not in end
    assert end["container"]["args"][end["container"]["args"].index("--attempt") + 1] == "0"


def test_cosmetic_drops_are_warnings_at_their_line() -> None:
    result = emit(FLOW)
    found = {(d.code, d.span.start.line if d.span else None) for d in result.diagnostics}
    lines = (REPO / FLOW).read_text().splitlines()
    schedule = next(i for i, t in enumerate(lines, 1) if t.startswith("@schedule"))
    # @schedule is no drop on a WorkflowTemplate: its CronWorkflow comes beside it.
    assert not any(line == schedule for _, line in found)
    assert result.files  # warnings only


def test_scheduled_template_comes_with_its_cron_workflow() -> None:
    """``@schedule`` on a WorkflowTemplate needs no option: a CronWorkflow of the
    template's name starts it (``workflowTemplateRef``) on the cron, in the time zone."""
    template, cron = yaml.safe_load_all(manifest(FLOW, extra={"branch": "staging"}))
    assert (template["kind"], cron["kind"]) == ("WorkflowTemplate", "CronWorkflow")
    assert cron["metadata"]["name"] == template["metadata"]["name"]
    assert cron["spec"]["schedules"] == ["0 6 * * 1-5"]
    assert cron["spec"]["timezone"] == "Europe/Paris"
    assert cron["spec"]["workflowSpec"]["workflowTemplateRef"] == {
        "name": template["metadata"]["name"]
    }
    assert len(cron["metadata"]["name"]) <= MAX_CRON_NAME


def test_cron_workflow_with_timezone_and_project_name() -> None:
    doc = _doc(extra={"kind": "CronWorkflow", "branch": "staging"})
    assert doc["kind"] == "CronWorkflow"
    assert doc["spec"]["schedules"] == ["0 6 * * 1-5"]
    assert doc["spec"]["timezone"] == "Europe/Paris"
    # fraud_model.test.staging.AllDecoratorsFlow as a Kubernetes name
    assert doc["metadata"]["name"] == "fraud-model-test-staging-alldecoratorsflow"
    assert doc["metadata"]["labels"]["flowc/branch"] == "test.staging"
    assert doc["metadata"]["labels"]["flowc/project"] == "fraud_model"
    assert len(doc["metadata"]["name"]) <= MAX_CRON_NAME


def test_daily_schedule_from_shape() -> None:
    doc = _doc(shape_path("decorators"), extra={"kind": "CronWorkflow"})
    assert doc["spec"]["schedules"] == ["0 0 * * *"]


def test_kinds_and_options() -> None:
    doc = _doc(
        shape_path("linear"),
        extra={"kind": "Workflow"},
        namespace="ml",
        service_account="runner",
        image="img:1",
        labels={"team": "ml"},
        datastore_root="s3://bucket/prefix",
    )
    assert doc["metadata"] == {**doc["metadata"], "generateName": "linear-flow-", "namespace": "ml"}
    assert "name" not in doc["metadata"]
    assert doc["metadata"]["labels"]["team"] == "ml"
    assert doc["spec"]["serviceAccountName"] == "runner"
    assert "parallelism" not in doc["spec"]
    limited = _doc(shape_path("linear"), extra={"parallelism": "4"})
    assert limited["spec"]["parallelism"] == 4
    assert "activeDeadlineSeconds" not in doc["spec"] and "priority" not in doc["spec"]
    timed = _doc(shape_path("linear"), extra={"workflow_timeout": "90", "priority": "-1"})
    assert (timed["spec"]["activeDeadlineSeconds"], timed["spec"]["priority"]) == (90, -1)
    start = _template(doc, "start")["container"]
    assert start["image"] == "img:1"
    assert start["args"][start["args"].index("--datastore") + 1] == "s3://bucket/prefix"


def test_invalid_options_are_errors() -> None:
    bad_kind = emit(shape_path("linear"), extra={"kind": "Job"})
    assert not bad_kind.files and [d.code for d in bad_kind.diagnostics] == ["FC305"]
    bad_label = emit(shape_path("linear"), labels={"team": "has space"})
    assert not bad_label.files and "FC305" in [d.code for d in bad_label.diagnostics]
    for options in (
        {"namespace": "Bad_NS"},
        {"service_account": "a b"},
        {"image": "img:{{workflow.uid}}"},
        {"python": "python; rm -rf"},
    ):
        result = emit(shape_path("linear"), **options)
        assert not result.files and [d.code for d in result.diagnostics] == ["FC305"], options
    for extra in ({"workflow_timeout": "0"}, {"workflow_timeout": "1h"}, {"priority": "high"}):
        result = emit(shape_path("linear"), extra=extra)
        assert not result.files and [d.code for d in result.diagnostics] == ["FC305"], extra


def test_parameters_become_arguments_with_defaults() -> None:
    doc = _doc(shape_path("parameters"))
    params = {p["name"]: p for p in doc["spec"]["arguments"]["parameters"]}
    assert params["who"]["value"] == '"world"'
    assert params["count"]["value"] == "3"
    assert params["loud"]["value"] == "false"
    assert params["config"]["value"] == '{"layers":[1,2]}'
    assert params["who"]["description"] == "Who to greet"
    start = _template(doc, "start")["container"]["args"]
    assert "who={{workflow.parameters.who}}" in start


def test_names_are_unique_and_bounded() -> None:
    names = NameAllocator()
    assert names.allocate("a", "main") == "main"
    assert names.allocate("b", "main") == "main-2"
    long = "x" * 100
    first, second = dns1123(long), dns1123(long + "y")
    assert first != second and is_dns1123(first) and is_dns1123(second)
    assert dns1123("MyFlow_v2") == "my-flow-v2"
    assert len(dns1123("A" * 80, MAX_CRON_NAME)) <= MAX_CRON_NAME


def _analyze(path: Path) -> Any:
    from flowc.compiler import analyze_file

    ir = analyze_file(str(path)).ir
    assert ir is not None
    return ir


def test_long_flow_name_is_truncated(tmp_path: Path) -> None:
    from backends.argo import BACKEND
    from backends.base import TargetOptions

    source = (
        (REPO / shape_path("linear")).read_text().replace("LinearFlow", "L" + "ong" * 30 + "Flow")
    )
    (tmp_path / "long.py").write_text(source)
    result = BACKEND.emit(_analyze(tmp_path / "long.py"), TargetOptions())
    name = yaml.safe_load(result.files[0].content)["metadata"]["name"]
    assert len(name) <= 63 and is_dns1123(name)


def test_thousand_step_flow_stays_under_one_megabyte(tmp_path: Path) -> None:
    from backends.argo import BACKEND
    from backends.base import TargetOptions

    steps = ["    @step\n    def start(self):\n        self.next(self.s1)\n"]
    steps += [
        f"    @step\n    def s{i}(self):\n        self.next(self.s{i + 1})\n" for i in range(1, 998)
    ]
    steps += [
        "    @step\n    def s998(self):\n        self.next(self.end)\n",
        "    @step\n    def end(self):\n        pass\n",
    ]
    (tmp_path / "big.py").write_text(
        "from flowc import FlowSpec, step\n\n\nclass BigFlow(FlowSpec):\n" + "\n".join(steps)
    )
    ir = _analyze(tmp_path / "big.py")
    assert len(ir.steps) == 1000
    result = BACKEND.emit(ir, TargetOptions(datastore_root="s3://flowc-artifacts/flows"))
    size = len(result.files[0].content.encode())
    assert size < 1_000_000, size
    assert not [d for d in result.diagnostics if d.code == "FC307"]
    # Too large for client-side `kubectl apply` (a 256 KiB annotation): a warning.
    [warning] = [d for d in result.diagnostics if d.code == "FC303"]
    assert f"{size:,} bytes" in warning.message and "--server-side" in (warning.hint or "")


def test_size_check_reports_measured_size() -> None:
    assert check_size("x" * 1000, "Workflow") == []
    assert check_size("x" * APPLY_ANNOTATION_LIMIT, "Workflow") == []
    [warning] = check_size("x" * (APPLY_ANNOTATION_LIMIT + 5), "WorkflowTemplate")
    assert warning.code == "FC303" and f"{APPLY_ANNOTATION_LIMIT + 5:,}" in warning.message
    assert "262,144" in warning.message
    [error] = check_size("x" * (SIZE_LIMIT + 5), "WorkflowTemplate")
    assert error.code == "FC307" and f"{SIZE_LIMIT + 5:,}" in error.message
    assert "1,572,864" in error.message


def test_cycle_detection() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert _cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]


def test_local_datastore_root_is_a_warning() -> None:
    """Pods do not share a disk: a local datastore root is allowed (a shared volume may be
    mounted there) but never silently."""
    warned = emit(shape_path("linear"), datastore_root=".flowc")
    assert warned.files and [d.code for d in warned.diagnostics] == ["FC306"]
    assert "'.flowc'" in warned.diagnostics[0].message
    assert emit(shape_path("linear")).diagnostics == []
