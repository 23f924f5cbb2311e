"""The shim-command contract: every command a target emits is one the shim parses, and it
says what the IR says.

For every shape flow and every target, the commands are read from the emitted output and
filled in as the engine would (see ``emitted_commands``), then parsed with the shim's own
parser (``runtime_shim.command.parse``). An option the shim does not know fails the parse.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from backends.airflow import _templates
from backends.airflow._command import OUTPUT, AirflowEngine
from backends.base import TargetOptions, get_backend, step_command
from flowc.compiler import analyze_file
from flowc.ir import FlowIR
from runtime_shim import command as shim
from runtime_shim.command import (
    LITERAL,
    OPTIONS,
    TaskCommand,
    UsageError,
    Values,
    param_value,
    parse,
    render,
)
from tests.support.emitted_commands import (
    ATTEMPT,
    INDEX,
    ITERATION,
    RUN_ID,
    Emitted,
    airflow_kubernetes_commands,
    airflow_local_commands,
    argo_commands,
    local_commands,
    run_values,
    stepfunctions_commands,
)

ROOT = Path(__file__).resolve().parents[2]
SHAPES = sorted((ROOT / "tests" / "shapes").glob("*.py"))

TARGETS: dict[str, Callable[..., list[Emitted]]] = {
    "argo": lambda ir, scratch: argo_commands(ir),
    "stepfunctions": lambda ir, scratch: stepfunctions_commands(ir),
    "airflow-local": airflow_local_commands,
    "airflow-kubernetes": airflow_kubernetes_commands,
    "local": local_commands,
}


def _ir(path: Path) -> FlowIR:
    analysis = analyze_file(str(path))
    assert analysis.ir is not None, analysis.diagnostics
    return analysis.ir


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("shape", SHAPES, ids=lambda p: p.stem)
def test_emitted_commands_parse_and_match_the_ir(shape: Path, target: str, tmp_path: Path) -> None:
    ir = _ir(shape)
    emitted = TARGETS[target](ir, tmp_path)
    values = run_values(ir)
    seen = set()
    for task in emitted:
        command = parse(task.argv)
        step = ir.step(task.step)
        seen.add(step.name)
        assert command.step == step.name
        assert command.flow == ir.name
        assert command.inputs == step.input_rule.render()
        assert command.run_id == RUN_ID
        assert command.index_path == (INDEX if step.foreach_depth else "")
        assert int(command.attempt) in (0, ATTEMPT)
        if step.recursive:
            assert command.iteration is not None and int(command.iteration) >= 0
        else:
            assert command.iteration is None
        # One parameter document (Step Functions) or one --param per parameter.
        document = command.param_document
        params = json.loads(str(document)) if document is not None else {}
        params.update({name: json.loads(str(value)) for name, value in command.params})
        assert params == (values if step.name == ir.start else {})
    # Every step runs as a command (the recursive ones possibly more than once).
    assert seen == {s.name for s in ir.steps}


def test_recursive_iterations_reach_the_shim() -> None:
    """The engines fill in the iteration: Argo, Step Functions and the local runner."""
    ir = _ir(ROOT / "tests" / "shapes" / "recursive_switch.py")
    for emitted in (argo_commands(ir), stepfunctions_commands(ir)):
        loops = [parse(t.argv) for t in emitted if ir.step(t.step).recursive]
        assert loops and all(c.iteration == str(ITERATION) for c in loops)


@pytest.mark.parametrize("operator", ["local", "kubernetes"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda p: p.stem)
def test_airflow_commands_are_the_renderers(shape: Path, operator: str) -> None:
    """The DAG carries each step's argv as ``render(step_command(...))`` wrote it at compile
    time, with the Airflow engine; the DAG's helpers only fill in slots."""
    ir = _ir(shape)
    options = TargetOptions(datastore_root="s3://b/r", code_package="s3://b/c.tgz", python="py")
    options.extra = {"operator": operator, "flow_file": "flows/{x}.py"}
    (emitted,) = get_backend("airflow").emit(ir, options).files
    constants = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(emitted.content).body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id in ("STEP_COMMANDS", "STEP_SLOTS")
    }
    for step in ir.steps:
        output = {"foreach": "foreach_out", "switch": "switch_out"}.get(step.transition)
        command = step_command(
            ir,
            step,
            flow_file="flows/{x}.py",
            datastore="s3://b/r",
            index_path=shim.INDEX_PATH if step.foreach_depth else "",
            code_package="s3://b/c.tgz",
        )
        if output is not None:
            command = command.replace(**{output: OUTPUT})
        engine = AirflowEngine()
        assert constants["STEP_COMMANDS"][step.name] == render(command, engine, python="py")
        assert constants["STEP_SLOTS"].get(step.name, {}) == engine.slots


def test_airflow_helpers_name_no_option() -> None:
    """The DAG's run-time helpers put values in by position: no option flag is spelled in
    them (the commands come from the renderer)."""
    helpers = "".join(
        (_templates.COMMON_HELPERS, _templates.LOCAL_HELPERS, _templates.KUBERNETES_HELPERS)
    )
    flags = {o.flag for o in OPTIONS} | {shim.MODULE}
    assert [f for f in sorted(flags) if f in helpers] == []


def test_every_option_round_trips() -> None:
    """Whatever render writes, parse reads back: every field set at once."""
    command = TaskCommand(
        flow_file="flows/a b.py",
        flow="F",
        step="s",
        inputs="join:a,b",
        run_id=shim.RUN_ID,
        index_path=shim.INDEX_PATH,
        attempt=shim.ATTEMPT,
        datastore="s3://b/p",
        iteration=shim.ITERATION,
        params=(("alpha", param_value("alpha")), ("b.c", '{"x": "="}')),
        foreach_out="/tmp/f",
        foreach_count_out="/tmp/c",
        switch_out="/tmp/s",
        code_package="s3://b/code.tgz",
        origin_run_id="r0",
    )
    assert {o.field for o in OPTIONS} | {shim.POSITIONAL} == set(shim.FIELDS)
    engine = Values(
        {
            shim.RUN_ID: "r1",
            shim.INDEX_PATH: "3.1",
            shim.ATTEMPT: "1",
            shim.ITERATION: "4",
            param_value("alpha"): "0.5",
        }
    )
    argv = render(command, engine, python="py")
    assert argv[:4] == ["py", "-m", "runtime_shim", "step"]
    parsed = parse(argv[3:])
    assert parsed == command.replace(
        run_id="r1",
        index_path="3.1",
        attempt="1",
        iteration="4",
        params=(("alpha", "0.5"), ("b.c", '{"x": "="}')),
    )
    assert parse(render(parsed, LITERAL)) == parsed


_MINIMAL = "step f.py --flow F --step s --inputs none --run-id r --datastore d"


@pytest.mark.parametrize(
    "line",
    [
        _MINIMAL.removesuffix(" --datastore d"),
        _MINIMAL + " --foreach-paths x",
        "run f.py",
        "step f.py g.py --flow F",
        _MINIMAL + " --param novalue",
        _MINIMAL + " --attempt",
    ],
    ids=[
        "missing-datastore",
        "unknown-option",
        "other-command",
        "two-files",
        "bad-param",
        "no-value",
    ],
)
def test_what_the_shim_refuses(line: str) -> None:
    with pytest.raises(UsageError):
        parse(line.split(" "))


def test_placeholders_need_a_value() -> None:
    command = TaskCommand("f", "F", "s", "none", shim.RUN_ID, "", "0", "d")
    with pytest.raises(ValueError):
        render(command, LITERAL)


def test_the_readme_names_every_option() -> None:
    readme = (ROOT / "runtime_shim" / "README.md").read_text(encoding="utf-8")
    block = readme.split("## The shim command", 1)[1].split("```")[1]
    assert set(re.findall(r"--[a-z-]+", block)) == {o.flag for o in OPTIONS}


def test_exit_hook_commands_parse_and_carry_the_hooks() -> None:
    """Argo's onExit handler and Step Functions' two hook states start the shim's
    exit-hooks command, which its own parser reads: the run, the end step and both hook
    lists of the IR; the engine's status where it has one."""
    from backends.base import exit_hooks
    from runtime_shim.exit_hooks import parse as parse_hooks

    ir = _ir(ROOT / "tests" / "shapes" / "exit_hooks.py")
    success, error = exit_hooks(ir)
    assert success and error
    statuses = {
        "argo": ["Succeeded"],  # {{workflow.status}}, as the harness fills it in
        "stepfunctions": ["Succeeded", "Failed"],
    }
    found = {
        "argo": argo_commands(ir, exit_hooks=True),
        "stepfunctions": stepfunctions_commands(ir, exit_hooks=True),
    }
    for target, emitted in found.items():
        seen = []
        for task in emitted:
            _, single, lists = parse_hooks(task.argv[1:])
            assert single["--flow"] == ir.name and single["--end"] == ir.end
            assert single["--run-id"] == RUN_ID
            assert lists == {"--on-success": success, "--on-error": error}
            seen.append(single["--status"])
        assert seen == statuses[target], target
    assert argo_commands(_ir(ROOT / "tests" / "shapes" / "linear.py"), exit_hooks=True) == []
