"""The emitted ASL: golden files, both validators, determinism, decorators and limits.

Regenerate the golden files after an intended change with
``FLOWC_REGEN=1 .venv/bin/python -m pytest tests/stepfunctions -q -k golden``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.golden import regenerating
from tests.support.sfn import (
    GOLDEN_DIR,
    SHAPES,
    asl_validator_errors,
    definition,
    emit,
    flow_path,
    has_asl_validator,
    load_ir,
    shape_path,
)

BINDINGS: list[dict[str, Any]] = [
    {},
    {"compute": "ecs", "subnets": "subnet-1,subnet-2", "security_groups": "sg-1"},
    {"compute": "callback", "queue_url": "https://sqs.us-east-1.amazonaws.com/1/flowc"},
    {"map_mode": "distributed", "max_concurrency": "100", "workflow_timeout": "3600"},
]


def _states(asl: dict[str, Any]) -> dict[str, Any]:
    """Every state of the machine, nested scopes included."""
    out: dict[str, Any] = {}
    for name, state in asl["States"].items():
        assert name not in out, f"duplicate state name {name}"
        out[name] = state
        for branch in state.get("Branches", []):
            out.update(_states(branch))
        if "ItemProcessor" in state:
            out.update(_states(state["ItemProcessor"]))
    return out


@pytest.mark.parametrize("shape", SHAPES)
def test_golden(shape: str) -> None:
    result = emit(shape_path(shape))
    assert not [d for d in result.diagnostics if d.severity.value == "error"]
    for emitted in result.files:
        suffix = emitted.path.split(".", 1)[1]  # asl.json or schedule.json
        golden = GOLDEN_DIR / (f"{shape}.json" if suffix == "asl.json" else f"{shape}.{suffix}")
        if regenerating():
            golden.parent.mkdir(exist_ok=True)
            golden.write_text(emitted.content, encoding="utf-8")
        assert golden.exists(), f"missing {golden}; run with FLOWC_REGEN=1"
        assert emitted.content == golden.read_text(encoding="utf-8")


# statelint 3.1 (the newest release) allows only MaxItems/MaxItemsPath in an ItemReader's
# ReaderConfig, while Step Functions needs "InputType" to read a JSON file with
# s3:getObject (the npm asl-validator's schema allows it). That one problem is expected
# for each distributed Map, and nothing else.
_STATELINT_READER_GAP = 'Field "InputType" not allowed in '


def _statelint_problems(asl: dict[str, Any]) -> list[str]:
    from statelint.linter import Linter

    problems = [str(p) for p in Linter.validate(asl)]
    readers = [
        name
        for name, state in _states(asl).items()
        if "ReaderConfig" in state.get("ItemReader", {})
    ]
    gaps = [p for p in problems if p.startswith(_STATELINT_READER_GAP)]
    # "... in State Machine.States.OUTER.ItemProcessor.States.NAME.ItemReader.ReaderConfig"
    where = sorted(p.rsplit(".States.", 1)[-1] for p in gaps)
    assert where == sorted(f"{name}.ItemReader.ReaderConfig" for name in readers), problems
    return [p for p in problems if p not in gaps]


@pytest.mark.parametrize(
    "binding",
    BINDINGS,
    ids=lambda b: b.get("compute", "batch") + ("-" + b["map_mode"] if "map_mode" in b else ""),
)
@pytest.mark.parametrize("shape", SHAPES)
def test_statelint_accepts(shape: str, binding: dict[str, Any]) -> None:
    asl = json.loads(definition(shape_path(shape), extra=dict(binding)))
    assert _statelint_problems(asl) == []


def test_statelint_catches_a_broken_machine() -> None:
    from statelint.linter import Linter

    asl = json.loads(definition(shape_path("branch")))
    del asl["States"]["start"]["Next"]
    assert Linter.validate(asl) != []


_NEEDS_NPM = pytest.mark.skipif(
    not has_asl_validator(),
    reason="npm asl-validator not installed (npm ci --prefix tools/asl-validator)",
)


@_NEEDS_NPM
def test_asl_validator_accepts_the_golden_files(tmp_path: Path) -> None:
    goldens = sorted(p for p in GOLDEN_DIR.glob("*.json") if p.name.count(".") == 1)
    assert len(goldens) == len(SHAPES)
    assert asl_validator_errors(goldens) is None
    broken = json.loads(goldens[0].read_text())
    broken["States"]["start"]["Type"] = "Tusk"
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(broken))
    assert asl_validator_errors([bad]) is not None


@pytest.mark.slow
@_NEEDS_NPM
def test_asl_validator_accepts_every_binding(tmp_path: Path) -> None:
    paths = []
    for shape in SHAPES:
        for i, binding in enumerate(BINDINGS[1:]):
            path = tmp_path / f"{shape}-{i}.json"
            path.write_text(definition(shape_path(shape), extra=dict(binding)))
            paths.append(path)
    assert asl_validator_errors(paths) is None


@pytest.mark.parametrize("shape", SHAPES)
def test_deterministic_and_state_names_valid(shape: str) -> None:
    first, second = definition(shape_path(shape)), definition(shape_path(shape))
    assert first == second
    for name in _states(json.loads(first)):
        assert 0 < len(name) <= 80
        assert all(ch.isalnum() or ch in "._-" for ch in name), name


def test_long_step_names_are_shortened_without_collision() -> None:
    asl = json.loads(definition(flow_path("long_names")))
    names = list(_states(asl))
    assert all(len(n) <= 80 for n in names)
    long_steps = [n for n in names if n.startswith("a_very_long")]
    assert len(long_steps) == len(set(long_steps)) == 2
    assert any(n.endswith(".map") for n in names)


def test_decorators_map_to_task_fields() -> None:
    result = emit(shape_path("decorators"))
    asl = json.loads(result.files[0].content)
    start, fragile = asl["States"]["start"], asl["States"]["fragile"]
    overrides = start["Parameters"]["ContainerOverrides"]
    assert overrides["Environment"] == [{"Name": "GREETING", "Value": "hi there"}]
    assert overrides["ResourceRequirements"] == [
        {"Type": "VCPU", "Value": "1"},
        {"Type": "MEMORY", "Value": "512"},
    ]
    assert fragile["TimeoutSeconds"] == 60
    assert fragile["Retry"][0]["MaxAttempts"] == 1
    assert "$$.State.RetryCount" in overrides["Command.$"]
    assert "Retry" not in start
    schedule = json.loads(result.files[1].content)
    assert schedule["ScheduleExpression"] == "cron(0 0 * * ? *)"
    assert schedule["Target"]["Arn"].endswith(":stateMachine:DecoratorsFlow")


def test_ecs_binding_resources() -> None:
    asl = json.loads(definition(shape_path("decorators"), extra={"compute": "ecs"}))
    container = asl["States"]["start"]["Parameters"]["Overrides"]["ContainerOverrides"][0]
    assert (container["Cpu"], container["Memory"]) == (1024, 512)
    assert asl["States"]["start"]["Resource"] == "arn:aws:states:::ecs:runTask.sync"


def test_user_strings_stay_data() -> None:
    asl = json.loads(definition(flow_path("user_strings")))
    defaults = asl["States"]["flowc.defaults"]
    ir = load_ir(flow_path("user_strings"))
    assert defaults["Result"] == {p.name: p.default for p in ir.parameters}
    env = asl["States"]["start"]["Parameters"]["ContainerOverrides"]["Environment"]
    assert {e["Name"]: e["Value"] for e in env} == {
        "TRICKY": "$.run_id {{x}} '${HOME}' \\n",
        "PLAIN.$": "States.UUID()",
    }
    # No user string is inside an intrinsic expression.
    command = asl["States"]["start"]["Parameters"]["ContainerOverrides"]["Command.$"]
    assert "rm -rf" not in command and "a.$" not in command


def _codes(result: Any) -> list[str]:
    return sorted(d.code for d in result.diagnostics)


def test_option_errors() -> None:
    path = shape_path("linear")
    assert _codes(emit(path, datastore_root=".flowc")) == ["FC305"]
    assert _codes(emit(path, extra={"compute": "lambda"})) == ["FC305"]
    assert _codes(emit(path, extra={"comptue": "batch"})) == ["FC305"]
    assert _codes(emit(path, extra={"compute": "callback"})) == ["FC305"]
    assert _codes(emit(path, extra={"flow_file": "it's.py"})) == ["FC305"]
    for timeout in ("0", "100000000", "1h"):
        assert _codes(emit(path, extra={"workflow_timeout": timeout})) == ["FC305"]
    for tags in ("a,,b", "[1]", "[not json", "x" * 501):
        assert _codes(emit(path, extra={"tags": tags})) == ["FC305"], tags
    tagged = json.loads(definition(path, extra={"tags": '["b", "a", "b"]'}))
    found = [
        (state, entry["Value"])
        for state, value in _states(tagged).items()
        for entry in _environment_entries(value)
        if entry["Name"] == "FLOWC_RUN_TAGS"
    ]
    assert found == [("start", '["a", "b"]')]
    assert emit(path, datastore_root=".flowc").files == []
    timed = json.loads(definition(path, extra={"workflow_timeout": "99999999"}))
    assert timed["TimeoutSeconds"] == 99_999_999
    assert "TimeoutSeconds" not in json.loads(definition(path))


def _environment_entries(value: Any) -> list[dict[str, Any]]:
    """Every ``{"Name": ..., "Value": ...}`` environment entry inside ``value``."""
    if isinstance(value, dict):
        own = [value] if set(value) == {"Name", "Value"} else []
        return own + [e for v in value.values() for e in _environment_entries(v)]
    if isinstance(value, list):
        return [e for v in value for e in _environment_entries(v)]
    return []


def test_limits_are_reported_with_sizes(tmp_path: Path) -> None:
    from backends.base import TargetOptions
    from backends.stepfunctions import BACKEND
    from flowc.compiler import analyze_file

    flow = tmp_path / "big.py"
    flow.write_text(
        "from flowc import FlowSpec, Parameter, step\n\n\n"
        "class BigFlow(FlowSpec):\n"
        f"    blob = Parameter('blob', default='{'x' * 1_100_000}')\n\n"
        "    @step\n    def start(self):\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n"
    )
    ir = analyze_file(str(flow)).ir
    assert ir is not None
    result = BACKEND.emit(ir, TargetOptions(datastore_root="s3://b/p"))
    # CreateStateMachine refuses a definition over 1 MiB: an error, and nothing is written.
    [too_big] = [d.message for d in result.diagnostics if d.code == "FC307"]
    assert "definition is 1,1" in too_big and "at most 1,048,576" in too_big
    assert result.files == []
    messages = [d.message for d in result.diagnostics if d.code == "FC303"]
    assert any("container overrides can reach 1,1" in m for m in messages), messages
    assert any("between states" in m for m in messages), messages
    small = BACKEND.emit(
        load_ir(shape_path("parameters")), TargetOptions(datastore_root="s3://b/p")
    )
    assert [d for d in small.diagnostics if d.code == "FC303"] == []


def test_cron_conversion() -> None:
    """EventBridge: 6 fields, `?` in exactly one day field, Sunday 1, no `/` in weekdays."""
    from backends.stepfunctions._schedule import eventbridge_cron
    from runtime_shim.catalogue import parse_cron

    def convert(text: str) -> str | None:
        return eventbridge_cron(parse_cron(text))

    assert convert("30 2 * * *") == "cron(30 2 * * ? *)"
    assert convert("0 9 * * 1-5") == "cron(0 9 ? * 2-6 *)"
    assert convert("0 9 * * 0") == "cron(0 9 ? * 1 *)"
    assert convert("0 9 * * SUN,SAT") == "cron(0 9 ? * 1,7 *)"
    assert convert("0 9 * * */2") == "cron(0 9 ? * 1,3,5,7 *)"
    assert convert("*/15 */2 * * *") == "cron(0/15 0/2 * * ? *)"
    assert convert("0 0 1 * *") == "cron(0 0 1 * ? *)"
    assert convert("0 0 1 * 1") is None
    # Metaflow's EventBridge spelling round-trips through the normal form.
    assert convert("0 12 ? * 2-6 *") == "cron(0 12 ? * 2-6 *)"


def test_required_parameter_is_checked_at_start() -> None:
    from backends.base import TargetOptions
    from backends.stepfunctions._emit import build_definition
    from backends.stepfunctions._options import resolve

    ir = load_ir(shape_path("parameters"))
    ir.parameters[0].has_default = False
    ir.parameters[0].default = None
    ir.parameters[0].required = True
    try:
        opts, _ = resolve(ir, TargetOptions(datastore_root="s3://b/p"))
        asl, _diagnostics = build_definition(ir, opts)
    finally:
        load_ir.cache_clear()
    check = asl["States"]["flowc.check"]
    assert check["Choices"][0]["Not"]["Variable"] == "$.params.who"
    assert asl["States"]["flowc.missing"]["Type"] == "Fail"


def test_num_parallel_is_rejected_at_its_self_next_call() -> None:
    result = emit(flow_path("parallel"))
    assert result.files == []
    [error] = [d for d in result.diagnostics if "num_parallel" in d.message]
    assert error.code == "FC301"
    assert error.span is not None and error.span.start.line == 9
    assert "cannot co-schedule" in error.message


def test_secrets_are_an_error_and_project_names_the_machine(tmp_path: Path) -> None:
    from backends.base import TargetOptions
    from backends.stepfunctions import BACKEND
    from flowc.compiler import analyze_file

    flow = tmp_path / "warn.py"
    flow.write_text(
        "from flowc import FlowSpec, project, secrets, step\n\n\n"
        "@project(name='x')\n"
        "class WarnFlow(FlowSpec):\n"
        "    @secrets(sources=['s'])\n"
        "    @step\n    def start(self):\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n"
    )
    ir = analyze_file(str(flow)).ir
    assert ir is not None
    result = BACKEND.emit(ir, TargetOptions(datastore_root="s3://b/p"))
    assert result.files == []
    found = sorted((d.code, d.span.start.line) for d in result.diagnostics if d.span)
    assert found == [("FC308", 6)]
    ir.step("start").decorators = []
    named = BACKEND.emit(ir, TargetOptions(datastore_root="s3://b/p"))
    # Compiled without --branch: the compiling user's branch, as Metaflow deploys it.
    assert [f.path for f in named.files] == ["x.user.flowc-tests.WarnFlow.asl.json"]


def test_gpu_resources(tmp_path: Path) -> None:
    from backends.base import TargetOptions
    from backends.stepfunctions import BACKEND
    from flowc.compiler import analyze_file

    flow = tmp_path / "gpu.py"
    flow.write_text(
        "from flowc import FlowSpec, batch, resources, step\n\n\n"
        "class GpuFlow(FlowSpec):\n"
        "    @batch(cpu=8, queue='gpu-queue')\n"
        "    @resources(cpu=4, memory=16000, gpu=2)\n"
        "    @step\n    def start(self):\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n"
    )
    ir = analyze_file(str(flow)).ir
    assert ir is not None
    batch = BACKEND.emit(ir, TargetOptions(datastore_root="s3://b/p"))
    start = json.loads(batch.files[0].content)["States"]["start"]["Parameters"]
    assert start["JobQueue"] == "gpu-queue"
    assert start["ContainerOverrides"]["ResourceRequirements"] == [
        {"Type": "VCPU", "Value": "8"},
        {"Type": "MEMORY", "Value": "16000"},
        {"Type": "GPU", "Value": "2"},
    ]
    ecs = BACKEND.emit(ir, TargetOptions(datastore_root="s3://b/p", extra={"compute": "ecs"}))
    assert [d.code for d in ecs.diagnostics if d.code != "FC302"] == ["FC308"]  # the queue
    flow.write_text(flow.read_text().replace(", queue='gpu-queue'", ""))
    ir = analyze_file(str(flow)).ir
    assert ir is not None
    ecs = BACKEND.emit(ir, TargetOptions(datastore_root="s3://b/p", extra={"compute": "ecs"}))
    asl = json.loads(ecs.files[0].content)
    container = asl["States"]["start"]["Parameters"]["Overrides"]["ContainerOverrides"][0]
    assert container["ResourceRequirements"] == [{"Type": "GPU", "Value": "2"}]
    assert (container["Cpu"], container["Memory"]) == (8192, 16000)
    assert any("Fargate" in d.message for d in ecs.diagnostics)


def _fan_outs(asl: dict[str, Any]) -> dict[str, Any]:
    return {name: s for name, s in _states(asl).items() if s["Type"] == "Map"}


def test_distributed_map_reads_the_committed_items_from_s3() -> None:
    """Distributed: no ArrayRange; the Map's ItemReader gets the positions list from the
    attempt named by the split's commit record. Inline keeps ArrayRange + ItemsPath."""
    path = shape_path("nested_foreach3")
    distributed = definition(path, extra={"map_mode": "distributed"})
    assert "ArrayRange" not in distributed
    asl = json.loads(distributed)
    maps = _fan_outs(asl)
    assert sorted(maps) == ["level1.map", "level2.map", "start.map"]
    for name, state in maps.items():
        step = name.removesuffix(".map")
        assert "ItemsPath" not in state
        assert state["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
        assert state["ItemReader"] == {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {
                "Bucket": "flowc-golden",
                "Key.$": f"States.Format('data/NestedForeach3Flow/runs/{{}}/{step}/{{}}/"
                f"attempt-{{}}/foreach.json', $.run_id, $.task, $.count_{step}.record.attempt)",
            },
        }
        assert _states(asl)[f"{step}.count"]["Next"] == name
    assert "$$.Map.Item.Value" in maps["level1.map"]["ItemSelector"]["idx.$"]
    inline = json.loads(definition(path))
    for name, state in _fan_outs(inline).items():
        assert "ItemReader" not in state
        assert state["ItemsPath"].endswith(".items")
        assert "ArrayRange" in json.dumps(_states(inline)[name.replace(".map", ".items")])


def test_index_digits_follow_the_map_mode() -> None:
    """The command-length check sizes a position at 4 digits inline (ArrayRange's 1,000
    items) and 9 in distributed mode (no 1,000 cap)."""
    from backends.base import TargetOptions
    from backends.stepfunctions._command import shim_command
    from backends.stepfunctions._options import resolve

    ir = load_ir(shape_path("nested_foreach3"))
    leaf = next(s for s in ir.steps if s.foreach_depth == 2)
    for mode, digits in (("inline", 4), ("distributed", 9)):
        opts, _ = resolve(ir, TargetOptions(datastore_root="s3://b/p", extra={"map_mode": mode}))
        worst = shim_command(ir, leaf, opts).worst_case
        assert worst[worst.index("--index-path") + 1] == ".".join(["9" * digits] * 2)


def test_two_thousand_steps_exceed_the_definition_limit(tmp_path: Path) -> None:
    """A 2,000-step linear flow is over CreateStateMachine's 1 MiB: an error, no file."""
    from backends.base import TargetOptions
    from backends.stepfunctions import BACKEND
    from flowc.compiler import analyze_file

    steps = [
        f"    @step\n    def s{i}(self):\n        self.next(self.s{i + 1})\n" for i in range(1999)
    ]
    source = "from flowc import FlowSpec, step\n\n\nclass HugeFlow(FlowSpec):\n"
    source += "    @step\n    def start(self):\n        self.next(self.s0)\n\n" + "\n".join(steps)
    source += "\n    @step\n    def s1999(self):\n        self.next(self.end)\n"
    source += "\n    @step\n    def end(self):\n        pass\n"
    (tmp_path / "huge.py").write_text(source)
    ir = analyze_file(str(tmp_path / "huge.py")).ir
    assert ir is not None and len(ir.steps) == 2002
    result = BACKEND.emit(ir, TargetOptions(datastore_root="s3://b/p"))
    [error] = [d for d in result.diagnostics if d.code == "FC307"]
    assert "accepts at most 1,048,576" in error.message and result.files == []
