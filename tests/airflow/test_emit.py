"""The emitted DAG file without Airflow: structure, determinism, formatting, diagnostics,
and proof that user strings stay data (hypothesis)."""

from __future__ import annotations

import ast
import copy
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backends.base import TargetOptions, get_backend
from flowc.ir import FlowIR
from runtime_shim.command import TaskCommand, parse
from tests.airflow.conftest import SHAPES, which_ruff
from tests.support.airflow import load_ir

BACKEND = get_backend("airflow")
SHAPE_FILES = sorted(SHAPES.glob("*.py"))


def emit(ir: FlowIR, **options: Any) -> str:
    extra = options.pop("extra", {"operator": "local"})
    result = BACKEND.emit(ir, TargetOptions(extra=extra, **options))
    assert [d for d in result.diagnostics if d.severity.value == "error"] == []
    (emitted,) = result.files
    return emitted.content


def dag_kwargs(source: str) -> dict[str, ast.expr]:
    tree = ast.parse(source)
    with_stmt = next(n for n in tree.body if isinstance(n, ast.With))
    call = with_stmt.items[0].context_expr
    assert isinstance(call, ast.Call)
    return {k.arg: k.value for k in call.keywords if k.arg}


def constants(source: str) -> dict[str, Any]:
    """The file's module-level literal constants (the per-flow data)."""
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name.isupper():
                try:
                    found[name] = ast.literal_eval(node.value)
                except ValueError:
                    continue  # a helper's constant built from others, not per-flow data
    return found


def shim_commands(source: str, params: dict[str, Any] | None = None) -> dict[str, TaskCommand]:
    """Each step's command as the shim reads it, after Airflow's Jinja rendering."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    # As Airflow configures it (airflow.sdk.definitions.dag).
    jinja = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True)
    context = {"run_id": "r", "ti": SimpleNamespace(try_number=1), "params": params or {}}
    return {
        step: parse([jinja.from_string(word).render(context) for word in argv][3:])
        for step, argv in constants(source)["STEP_COMMANDS"].items()
    }


def task_calls(source: str) -> dict[str, ast.Call]:
    tree = ast.parse(source)
    with_stmt = next(n for n in tree.body if isinstance(n, ast.With))
    calls = {}
    for stmt in with_stmt.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            calls[stmt.targets[0].id] = stmt.value  # type: ignore[attr-defined]
    return calls


@pytest.mark.parametrize("flow", SHAPE_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("operator", ["local", "kubernetes"])
def test_deterministic_and_formatted(flow: Path, operator: str) -> None:
    ir = load_ir(flow)
    first = emit(ir, extra={"operator": operator})
    assert emit(load_ir(flow), extra={"operator": operator}) == first
    ast.parse(first)
    assert "flowc" not in {n.split(".")[0] for n in _imported(first)}
    # the shapes' texts are short, so every line fits ruff's default line length
    assert max(len(line) for line in first.splitlines()) <= 88
    ruff = which_ruff()
    if ruff is None:
        pytest.skip("ruff is not installed")
    done = subprocess.run(
        [ruff, "format", "--isolated", "--diff", "-"],
        input=first,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout


def _imported(source: str) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_airflow_sdk_imports_and_kpo() -> None:
    ir = load_ir(SHAPES / "foreach.py")
    assert "airflow.sdk" in _imported(emit(ir))
    kpo = emit(ir, extra={"operator": "kubernetes"})
    assert "airflow.providers.cncf.kubernetes.operators.pod" in _imported(kpo)


def test_nested_foreach_is_flattened_and_regrouped() -> None:
    calls = task_calls(emit(load_ir(SHAPES / "nested_foreach3.py")))
    over = {
        name: next((ast.unparse(k.value) for k in c.keywords if k.arg == "over"), None)
        for name, c in calls.items()
    }
    assert over["start"] is None
    assert over["level1"] == "start"
    assert ast.unparse(calls["level1_paths"]) == "paths_task('level1', level1)"
    assert over["level2"] == "level1_paths"
    assert over["level3"] == "level2_paths"
    # the joins regroup: each maps over its split's own domain
    assert over["join3"] == "level1_paths"
    assert over["join2"] == "start"
    assert over["join1"] is None


def test_switch_uses_branch_and_merge_trigger_rule() -> None:
    source = emit(load_ir(SHAPES / "switch_basic.py"))
    calls = task_calls(source)
    branch = next(c for c in calls.values() if ast.unparse(c.func) == "branch_task")
    assert ast.literal_eval(branch.args[0]) == "start" or branch.args
    merges = [c for c in calls.values() if any(k.arg == "trigger_rule" for k in c.keywords)]
    assert len(merges) == 1
    rule = next(k.value for k in merges[0].keywords if k.arg == "trigger_rule")
    assert ast.literal_eval(rule) == "none_failed_min_one_success"
    merge = ast.literal_eval(merges[0].args[0])
    assert shim_commands(source)[merge].inputs.startswith("any:")


def test_mapped_switch_selects_paths_per_case() -> None:
    calls = task_calls(emit(load_ir(SHAPES / "switch_in_foreach.py")))
    assert ast.unparse(calls["even_selected"]) == "selected_task('even', start, classify)"
    assert ast.unparse(calls["odd_selected"]) == "selected_task('odd', start, classify)"


@pytest.mark.parametrize("shape", ["recursive_switch", "recursive_switch_in_foreach"])
def test_recursive_switch_is_one_looping_task(shape: str) -> None:
    source = emit(load_ir(SHAPES / f"{shape}.py"))
    calls = task_calls(source)
    loop = {k.arg: ast.unparse(k.value) for k in calls["loop"].keywords}
    assert loop["output"] == "'switch'" and "trigger_rule" not in loop
    # The helper loops over the iteration slot; no other step has one.
    assert [s for s, slots in constants(source)["STEP_SLOTS"].items() if "iteration" in slots] == [
        "loop"
    ]
    # one case besides itself: no branch task, the next step simply follows the loop
    assert not any(ast.unparse(c.func) == "branch_task" for c in calls.values())
    (after_step,) = [s for s, c in shim_commands(source).items() if c.inputs == "same:loop"]
    after = calls[after_step]
    assert {k.arg: ast.unparse(k.value) for k in after.keywords}.get("over") == loop.get("over")


def test_self_loop_that_is_also_a_merge_is_rejected_at_its_line() -> None:
    ir = load_ir(SHAPES / "recursive_switch.py")
    loop = ir.step("loop")
    loop.parents.append("finish")
    result = BACKEND.emit(ir, TargetOptions(extra={"operator": "local"}))
    assert result.files == []
    (error,) = [d for d in result.diagnostics if d.code == "FC301"]
    assert error.span is not None and error.span.start.line == loop.location.line


def test_unknown_operator_is_an_option_error() -> None:
    result = BACKEND.emit(load_ir(SHAPES / "linear.py"), TargetOptions(extra={"operator": "x"}))
    assert result.files == [] and [d.code for d in result.diagnostics] == ["FC305"]


def test_decorators_map_to_task_arguments() -> None:
    ir = load_ir(SHAPES / "decorators.py")
    source = emit(ir, extra={"operator": "kubernetes"})
    fragile = task_calls(source)["fragile"]
    kwargs = {k.arg: ast.unparse(k.value) for k in fragile.keywords}
    assert kwargs["retries"] == "1"
    assert kwargs["retry_delay"] == "datetime.timedelta(seconds=0)"
    assert kwargs["execution_timeout"] == "datetime.timedelta(seconds=60)"
    consts = constants(source)
    assert consts["STEP_ENV"] == {"start": {"GREETING": "hi there"}}
    assert consts["STEP_RESOURCES"]["start"]["requests"] == {"cpu": "1", "memory": "512Mi"}
    assert ast.unparse(dag_kwargs(source)["schedule"]) == "'0 0 * * *'"


def test_parameters_become_typed_params() -> None:
    ir = load_ir(SHAPES / "parameters.py")
    params = dag_kwargs(emit(ir))["params"]
    rendered = {
        ast.literal_eval(k): ast.unparse(v) for k, v in zip(params.keys, params.values, strict=True)
    }  # type: ignore[attr-defined]
    assert rendered["who"] == "Param('world', type='string', description='Who to greet')"
    assert rendered["count"].startswith("Param(3, type='integer'")
    assert rendered["ratio"].startswith("Param(0.25, type='number'")
    assert rendered["loud"].startswith("Param(False, type='boolean'")
    assert rendered["config"].startswith("Param({'layers': [1, 2]}, description=")


def test_required_parameter_has_no_default() -> None:
    ir = load_ir(SHAPES / "parameters.py")
    ir.parameters[0].has_default = False
    ir.parameters[0].default = None
    ir.parameters[0].required = True
    params = dag_kwargs(emit(ir))["params"]
    first = params.values[0]  # type: ignore[attr-defined]
    assert isinstance(first, ast.Call) and first.args == []


def test_schedule_with_timezone() -> None:
    ir = load_ir(SHAPES / "decorators.py")
    ir.decorators[0].args = {"cron": "30 6 * * 1-5", "timezone": "Europe/Berlin"}
    schedule = dag_kwargs(emit(ir))["schedule"]
    assert ast.unparse(schedule) == "CronTriggerTimetable('30 6 * * 1-5', timezone='Europe/Berlin')"


# --- user strings stay data -------------------------------------------------------------

FIXTURE_OK = [HealthCheck.function_scoped_fixture]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
NASTY = st.sampled_from(
    [
        '"""',
        "'''",
        "\\",
        "{{ 7 * 7 }}",
        "{% raw %}",
        "\n",
        "\x00",
        "');import os#",
        '"+__import__("os").system("x")+"',
        "{#",
        "\r\n",
    ]
)
USER_TEXT = st.one_of(TEXT, NASTY, st.lists(st.one_of(TEXT, NASTY), max_size=4).map("".join))


def _with_user_strings(
    base: FlowIR, doc: str, default: str, help_text: str, env: str, path: str
) -> FlowIR:
    ir = copy.deepcopy(base)
    ir.docstring = doc
    ir.parameters[0].default = default
    ir.parameters[0].help = help_text
    for deco in ir.step("start").decorators:
        if deco.name == "environment":
            deco.args = {"vars": {"USER_VALUE": env}}
    ir.file = path
    return ir


class _Blank(ast.NodeTransformer):
    """Replace every string constant, so two files can be compared structure-only."""

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        return ast.Constant("") if isinstance(node.value, str) else node


def _structure(source: str) -> str:
    return ast.dump(_Blank().visit(ast.parse(source)))


@pytest.fixture(scope="module")
def combined_ir() -> FlowIR:
    ir = load_ir(SHAPES / "parameters.py")
    ir.steps[0].decorators = copy.deepcopy(load_ir(SHAPES / "decorators.py").steps[0].decorators)
    return ir


@settings(max_examples=120, deadline=None, suppress_health_check=FIXTURE_OK)
@given(
    doc=USER_TEXT,
    default=USER_TEXT,
    help_text=USER_TEXT,
    env=USER_TEXT,
    path=USER_TEXT,
    operator=st.sampled_from(["local", "kubernetes"]),
)
def test_user_strings_stay_data(
    combined_ir: FlowIR, doc: str, default: str, help_text: str, env: str, path: str, operator: str
) -> None:
    ir = _with_user_strings(combined_ir, doc, default, help_text, env, path)
    extra = {"operator": operator, "flow_file": path}
    source = emit(ir, extra=extra, datastore_root=path)
    # The baseline keeps which texts are empty: empty ones are left out of the file.
    baseline = emit(
        _with_user_strings(
            combined_ir, "d" if doc else "", "x", "h" if help_text else "", "e", "p"
        ),
        extra={"operator": operator, "flow_file": "p"},
        datastore_root="p",
    )
    # Same code, only string constants differ: no user text became code.
    assert _structure(source) == _structure(baseline)
    consts = constants(source)
    # Airflow renders the argv as Jinja: the escaped path reaches the shim as written.
    start = shim_commands(source, {p.name: None for p in ir.parameters})[ir.start]
    assert start.flow_file == path and start.datastore == path
    assert consts["STEP_ENV"]["start"]["USER_VALUE"] == env
    kwargs = dag_kwargs(source)
    if doc:
        assert ast.literal_eval(kwargs["doc_md"]) == doc
    param = kwargs["params"].values[0]  # type: ignore[attr-defined]
    assert ast.literal_eval(param.args[0]) == default
    described = {k.arg: ast.literal_eval(k.value) for k in param.keywords}
    assert described.get("description", "") == help_text


@settings(max_examples=150, deadline=None, suppress_health_check=FIXTURE_OK)
@given(doc=USER_TEXT, default=USER_TEXT, env=USER_TEXT)
@example(doc="d", default="0000\x1f\r\u2e80\U00018cd6\U00018d09", env="e")  # a wide char
@example(doc="d", default="\u2e80" * 33, env="e\u0301" * 40)
def test_user_strings_keep_the_file_formatted(
    combined_ir: FlowIR, doc: str, default: str, env: str
) -> None:
    ruff = which_ruff()
    if ruff is None:
        pytest.skip("ruff is not installed")
    source = emit(_with_user_strings(combined_ir, doc, default, "h", env, "p"))
    done = subprocess.run(
        [ruff, "format", "--isolated", "--diff", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout


def test_kubernetes_gpu_secrets_image_namespace() -> None:
    from flowc.ir import Decorator, Location
    from runtime_shim.catalogue import decorator

    ir = load_ir(SHAPES / "linear.py")
    where = Location(ir.file, 1, 0)

    def resolved(name: str, **given: Any) -> Decorator:
        """A decorator as the analyzer records it: every argument resolved."""
        entry = decorator(name)
        assert entry is not None
        return Decorator(name, entry.resolve(given).values, {}, where, sorted(given))

    ir.step("start").decorators = [
        resolved("resources", cpu=2, memory=1024, gpu=1),
        resolved("kubernetes", image="trainer:1", namespace="ml"),
        resolved("secrets", sources=["db-creds"]),
    ]
    source = emit(ir, extra={"operator": "kubernetes"})
    consts = constants(source)
    assert consts["STEP_RESOURCES"]["start"]["limits"]["nvidia.com/gpu"] == "1"
    # @kubernetes's own disk default (Metaflow's 10240 MB) fills what @resources left unset.
    assert consts["STEP_RESOURCES"]["start"]["requests"] == {
        "cpu": "2",
        "memory": "1024Mi",
        "ephemeral-storage": "10240Mi",
    }
    assert consts["STEP_SECRETS"] == {"start": ["db-creds"]}
    start = {k.arg: ast.literal_eval(k.value) for k in task_calls(source)["start"].keywords}
    assert start["image"] == "trainer:1" and start["namespace"] == "ml"
    # Processes on the worker: resources are a hint (a warning), pods and secrets errors.
    local = BACKEND.emit(ir, TargetOptions(extra={"operator": "local"}))
    assert [d.code for d in local.diagnostics] == ["FC302", "FC308", "FC308"]
    assert local.files == []


def test_local_operator_records_absolute_paths(tmp_path: Path) -> None:
    """Local tasks run in the Airflow worker's directory: `flowc compile` makes the flow
    file and a local datastore root absolute; pods and URLs keep what the user wrote."""
    import shutil
    import sys

    flowc = str(Path(sys.executable).with_name("flowc"))
    shutil.copy(SHAPES / "linear.py", tmp_path / "linear.py")

    def compiled(*args: str) -> TaskCommand:
        done = subprocess.run(
            [flowc, "compile", "linear.py", "--target", "airflow", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        return shim_commands(done.stdout)["start"]

    local = compiled("--option", "operator=local", "--datastore", "store")
    assert local.flow_file == str(tmp_path / "linear.py")
    assert local.datastore == str(tmp_path / "store")
    s3 = compiled("--option", "operator=local", "--datastore", "s3://b/p")
    assert s3.datastore == "s3://b/p"
    pods = compiled("--datastore", "store")
    assert pods.flow_file == "linear.py" and pods.datastore == "store"


def test_parameter_name_unsafe_in_a_pod_is_fc304() -> None:
    """The analyzer accepts no such name; an IR made elsewhere still cannot smuggle one."""
    ir = load_ir(SHAPES / "parameters.py")
    ir.parameters[0].name = 'odd" name'
    result = BACKEND.emit(ir, TargetOptions(extra={"operator": "kubernetes"}))
    assert result.files == [] and "FC304" in [d.code for d in result.diagnostics]


FLOWS = Path(__file__).with_name("flows")
ROOT_EVENTS = Path(__file__).resolve().parents[1] / "events" / "flows"


@pytest.mark.parametrize("flow", SHAPE_FILES, ids=lambda p: p.stem)
def test_every_end_task_publishes_the_finished_run(flow: Path) -> None:
    ir = load_ir(flow)
    source = emit(ir)
    end = task_calls(source)[ir.end]
    keywords = {k.arg: ast.unparse(k.value) for k in end.keywords}
    assert keywords["outlets"] == "FINISHED_RUN_ASSETS"
    assert keywords["post_execute"] == "publish_finished_run"
    assert f"FINISHED_RUN_ASSETS = [Asset('metaflow.{ir.name}.{ir.end}')]" in ast.unparse(
        ast.parse(source)
    )
    payload = constants(source)["FINISHED_RUN"]["payload"]
    assert payload["flow_name"] == ir.name and payload["auto-generated-by-metaflow"] is True
    assert constants(source)["EVENTS"] == ""
    assert "user_defined_macros" not in dag_kwargs(source)


def test_trigger_schedules_on_the_event_asset() -> None:
    source = emit(load_ir(FLOWS / "data_ready.py"))
    kwargs = dag_kwargs(source)
    assert ast.unparse(kwargs["schedule"]) == "Asset('data.ready')"
    assert ast.unparse(kwargs["user_defined_macros"]) == (
        "{'trigger_events': trigger_events, 'event_param': event_param}"
    )
    found = constants(source)
    assert found["EVENT_PARAMETERS"] == {
        "count": ["data.ready", "rows"],
        "label": ["data.ready", "label"],
    }
    assert found["TRIGGER_EVENTS"] == {"data.ready": "event"}
    start = " ".join(found["STEP_COMMANDS"]["start"])
    assert '--param count={{ event_param("count", triggering_asset_events, params) }}' in start


def test_several_events_and_upstream_flows() -> None:
    kwargs = dag_kwargs(emit(load_ir(FLOWS / "two_events.py")))
    assert ast.unparse(kwargs["schedule"]) == (
        "AssetAll(Asset('orders.ready'), Asset('stock.ready'))"
    )
    finish = load_ir(ROOT_EVENTS / "downstream.py")
    assert ast.unparse(dag_kwargs(emit(finish))["schedule"]) == (
        "Asset('metaflow.UpstreamFlow.end')"
    )


def test_trigger_with_schedule_or_both_triggers_is_fc308(tmp_path: Path) -> None:
    flow = tmp_path / "both.py"
    flow.write_text(
        "from flowc import FlowSpec, schedule, step, trigger, trigger_on_finish\n"
        "@schedule(daily=True)\n"
        "@trigger_on_finish(flow='A')\n"
        "@trigger(event='e')\n"
        "class BothFlow(FlowSpec):\n"
        "    @step\n"
        "    def start(self):\n"
        "        self.next(self.end)\n"
        "    @step\n"
        "    def end(self):\n"
        "        pass\n",
        encoding="utf-8",
    )
    result = BACKEND.emit(load_ir(flow), TargetOptions(extra={"operator": "local"}))
    assert result.files == []
    found = sorted((d.code, d.span.start.line if d.span else None) for d in result.diagnostics)
    assert found == [("FC308", 3), ("FC308", 4)]
    messages = " ".join(d.message for d in result.diagnostics)
    assert "together are not deployable" in messages and "@schedule with @trigger" in messages
