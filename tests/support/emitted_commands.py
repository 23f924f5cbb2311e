"""Every task command a target emits, with its placeholders filled in as the engine would.

Each ``*_commands`` function compiles one flow for one target and returns the argv lists
(after ``python -m runtime_shim``) that the engine would start, read from the emitted
file itself: the Argo YAML's container templates after Argo's ``{{...}}`` substitution and
Kubernetes' ``$(VAR)`` expansion; the ASL's ``Command.$`` intrinsics evaluated; the Airflow
DAG file's own helpers executed (Jinja rendered, the pod's ``sh -c`` script run by ``sh``,
the local operator's subprocess started) with a recorder standing in for the interpreter;
the local runner's command lines.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

from backends.base import TargetOptions, get_backend
from flowc.ir import FlowIR, Step
from tests.support.argo_templating import k8s_expand, substitute

ROOT = Path(__file__).resolve().parents[2]

RUN_ID = "run-42"
ATTEMPT = 2
INDEX = "1.0"
ITERATION = 3
PYTHON = "python3"
LAUNCHER = [PYTHON, "-m", "runtime_shim"]


@dataclass
class Emitted:
    """One task command as the engine starts it, and the step it belongs to."""

    step: str
    argv: list[str]  # after the interpreter and ``-m runtime_shim``


def run_values(ir: FlowIR) -> dict[str, Any]:
    """The parameter values of the run: the defaults, or a string for a required one."""
    return {p.name: p.default if p.has_default else "given" for p in ir.parameters}


def index_of(step: Step) -> str:
    return INDEX if step.foreach_depth else ""


def _emit(ir: FlowIR, target: str, **extra: Any) -> str:
    options = TargetOptions(datastore_root="s3://bucket/root", python=PYTHON, extra=extra)
    result = get_backend(target).emit(ir, options)
    assert result.files, result.diagnostics
    return result.files[0].content


def _after_launcher(argv: list[str]) -> list[str]:
    assert argv[:3] == LAUNCHER, argv
    return argv[3:]


# -- Argo ----------------------------------------------------------------------------------


EXIT_HOOKS = "exit-hooks"  # the shim's subcommand that runs a flow's @exit_hook functions


def _is_exit_hooks(argv: list[str]) -> bool:
    return argv[:1] == [EXIT_HOOKS]


def argo_commands(ir: FlowIR, exit_hooks: bool = False) -> list[Emitted]:
    """The step commands (or, with ``exit_hooks``, the exit-hooks command alone)."""
    manifest = next(yaml.safe_load_all(_emit(ir, "argo")))  # then its CronWorkflow, if any
    spec = manifest["spec"]
    declared = (spec.get("arguments") or {}).get("parameters") or []
    assert len(declared) == len(ir.parameters)
    values = run_values(ir)
    scope = {
        "workflow.name": RUN_ID,
        "retries": str(ATTEMPT),
        "inputs.parameters.idx": INDEX,
        "inputs.parameters.iteration": str(ITERATION),
    }
    for param, argo in zip(ir.parameters, declared, strict=True):
        # The value Argo substitutes: the default as emitted, or what the user submits.
        scope[f"workflow.parameters.{argo['name']}"] = argo.get(
            "value", json.dumps(values[param.name])
        )
    emitted = []
    for template in spec["templates"]:
        container = template.get("container")
        if container is None:
            continue
        env: dict[str, str] = {}
        for var in container.get("env") or []:
            env[var["name"]] = k8s_expand(var["value"], env)
        # ``workflow.status`` exists in the onExit handler only (as Argo has it).
        local = (
            {**scope, "workflow.status": "Succeeded"}
            if template["name"] == spec.get("onExit")
            else scope
        )
        argv = [
            k8s_expand(substitute(word, local, strict=True), env)
            for word in container["command"] + container["args"]
        ]
        argv = _after_launcher(argv)
        if _is_exit_hooks(argv):
            if exit_hooks:
                emitted.append(Emitted(EXIT_HOOKS, argv))
        elif not exit_hooks:
            emitted.append(Emitted(argv[argv.index("--step") + 1], argv))
    return emitted


# -- Step Functions ------------------------------------------------------------------------

_PATH = re.compile(r"\$\$?(?:\.[A-Za-z0-9_]+)*")


def evaluate_intrinsic(expression: str, data: dict[str, Any], context: dict[str, Any]) -> Any:
    """Evaluate the intrinsic functions flowc emits: ``States.Array``, ``States.Format``,
    ``States.JsonToString``, ``'...'`` literals (never escaped) and JSONPaths."""
    value, rest = _intrinsic(expression, data, context)
    assert not rest.strip(), f"trailing text {rest!r} in {expression!r}"
    return value


def _intrinsic(text: str, data: dict[str, Any], context: dict[str, Any]) -> tuple[Any, str]:
    text = text.lstrip()
    if text.startswith("'"):
        end = text.index("'", 1)
        return text[1:end], text[end + 1 :]
    if text.startswith("States."):
        name, _, text = text[len("States.") :].partition("(")
        args: list[Any] = []
        text = text.lstrip()
        while not text.startswith(")"):
            value, text = _intrinsic(text, data, context)
            args.append(value)
            text = text.lstrip()
            if text.startswith(","):
                text = text[1:]
        return _FUNCTIONS[name](*args), text[1:]
    match = _PATH.match(text)
    assert match and match.group(), f"cannot read {text!r}"
    path = match.group()
    node: Any = context if path.startswith("$$") else data
    for key in path.lstrip("$").split(".")[1:]:
        node = node[key]
    return node, text[match.end() :]


def _format(template: str, *args: Any) -> str:
    pieces = template.split("{}")
    assert len(pieces) == len(args) + 1, (template, args)
    out = pieces[0]
    for arg, piece in zip(args, pieces[1:], strict=True):
        out += (arg if isinstance(arg, str) else json.dumps(arg)) + piece
    return out


_FUNCTIONS: dict[str, Any] = {
    "Array": lambda *items: list(items),
    "Format": _format,
    "JsonToString": lambda value: json.dumps(value, separators=(",", ":")),
}


def _commands_in(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "Command.$"]
        return found + [c for v in value.values() for c in _commands_in(v)]
    if isinstance(value, list):
        return [c for v in value for c in _commands_in(v)]
    return []


def stepfunctions_commands(ir: FlowIR, exit_hooks: bool = False) -> list[Emitted]:
    """The step commands (or, with ``exit_hooks``, the exit-hooks commands alone)."""
    from backends.stepfunctions._naming import data_key

    machine = json.loads(_emit(ir, "stepfunctions"))
    data: dict[str, Any] = {"run_id": RUN_ID, "task": "_", "params": run_values(ir)}
    data.update({data_key("iter", s.name): {"n": ITERATION} for s in ir.steps})
    # The resolved configs enter the state data where the definition puts them.
    for state in machine["States"].values():
        if state.get("ResultPath") == "$.configs":
            data["configs"] = state["Result"]
    context = {"State": {"RetryCount": ATTEMPT}}
    emitted = []
    for expression in _commands_in(machine):
        step_at = evaluate_intrinsic(expression, dict(data, idx=""), context)
        if _is_exit_hooks(_after_launcher(step_at)):
            if exit_hooks:
                emitted.append(Emitted(EXIT_HOOKS, _after_launcher(step_at)))
            continue
        if exit_hooks:
            continue
        step = ir.step(step_at[step_at.index("--step") + 1])
        argv = evaluate_intrinsic(expression, dict(data, idx=index_of(step)), context)
        emitted.append(Emitted(step.name, _after_launcher(argv)))
    return emitted


# -- Airflow -------------------------------------------------------------------------------

RECORDER = """#!{python}
import json, os, sys

argv = sys.argv[1:]
with open(os.environ["FLOWC_RECORD"], "a", encoding="utf-8") as log:
    log.write(json.dumps(argv) + "\\n")
# Any output-file option, known to the shim or not: the parser is what judges it.
outputs = {{"foreach-count": "1", "foreach": '["0"]', "switch": "other"}}
for flag, value in zip(argv, argv[1:]):
    kind = next((k for k in outputs if flag.startswith("--" + k)), None)
    if kind is not None:
        with open(value, "w", encoding="utf-8") as handle:
            handle.write(outputs[kind])
"""


def _recorder(scratch: Path) -> Path:
    """A stand-in interpreter that records its argv and writes the outputs it is asked
    for (one foreach child; a switch choosing a step other than itself)."""
    path = scratch / "python"
    path.write_text(RECORDER.format(python=sys.executable), encoding="utf-8")
    path.chmod(0o755)
    return path


def _recorded(log: Path) -> list[list[str]]:
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return [json.loads(line) for line in lines]


def _dag_module(source: str) -> tuple[list[ast.stmt], list[ast.Call]]:
    """The generated file's top-level definitions (imports dropped) and its
    ``step_task(...)`` calls inside ``with DAG(...)``."""
    tree = ast.parse(source)
    definitions: list[ast.stmt] = []
    calls: list[ast.Call] = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.With):
            for statement in node.body:
                value = getattr(statement, "value", None)
                if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "step_task":
                    calls.append(value)
            continue
        if isinstance(node, ast.FunctionDef):
            node.decorator_list = []  # @task: the plain function is what runs in the worker
        definitions.append(node)
    return definitions, calls


def _namespace(definitions: list[ast.stmt], **names: Any) -> dict[str, Any]:
    import tempfile

    namespace: dict[str, Any] = {
        "json": json,
        "os": os,
        "subprocess": subprocess,
        "tempfile": tempfile,
        # The end task's outlets, and a trigger DAG's schedule: names are all that runs here.
        "Asset": lambda name: SimpleNamespace(name=name),
        "AssetAll": lambda *assets: list(assets),
        **names,
    }
    module = ast.Module(body=definitions, type_ignores=[])
    exec(compile(module, "<dag>", "exec"), namespace)
    return namespace


def _step_task_args(call: ast.Call) -> tuple[str, dict[str, Any]]:
    step = ast.literal_eval(call.args[0])
    kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg == "output"}
    return step, kwargs


def airflow_templated(ir: FlowIR) -> Any:
    """Airflow's rendering of a templated field, with this run's values."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    # As Airflow configures it (airflow.sdk.definitions.dag).
    jinja = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True)
    context = {
        "run_id": RUN_ID,
        "ti": SimpleNamespace(try_number=ATTEMPT + 1),
        "params": run_values(ir),
    }
    return lambda words: [jinja.from_string(w).render(context) for w in words]


def airflow_local_commands(ir: FlowIR, scratch: Path) -> list[Emitted]:
    definitions, calls = _dag_module(_emit(ir, "airflow", operator="local", flow_file="flow.py"))
    log = scratch / "record.jsonl"
    namespace = _namespace(definitions)
    templated = airflow_templated(ir)
    recorder = str(_recorder(scratch))  # the worker's interpreter, recording
    emitted = []
    os.environ["FLOWC_RECORD"] = str(log)
    try:
        for call in calls:
            step, kwargs = _step_task_args(call)
            # As Airflow calls the task: its keyword arguments rendered as templates.
            argv = templated(namespace["STEP_COMMANDS"][step])
            assert argv[0] == PYTHON
            slots = namespace["STEP_SLOTS"].get(step, {})
            index_path = index_of(ir.step(step))
            namespace["run_step"](step, [recorder, *argv[1:]], slots, index_path, **kwargs)
            emitted += [Emitted(step, _after_launcher([PYTHON, *a])) for a in _recorded(log)]
    finally:
        del os.environ["FLOWC_RECORD"]
    return emitted


class _FakePod:
    """Captures the KubernetesPodOperator's arguments (the pod itself is not needed)."""

    created: list[dict[str, Any]] = []

    def __init__(self, **kwargs: Any) -> None:
        _FakePod.created.append(kwargs)
        self.output = None

    @classmethod
    def partial(cls, **kwargs: Any) -> SimpleNamespace:
        return SimpleNamespace(expand=lambda **more: cls(**kwargs, **more))


class _Models:
    """``kubernetes.client.models``: every model a plain dict of its fields."""

    def __getattr__(self, name: str) -> Any:
        return dict


def airflow_kubernetes_commands(ir: FlowIR, scratch: Path) -> list[Emitted]:
    source = _emit(ir, "airflow", operator="kubernetes")
    definitions, calls = _dag_module(source)
    namespace = _namespace(definitions, KubernetesPodOperator=_FakePod, k8s=_Models())
    templated = airflow_templated(ir)
    recorder = str(_recorder(scratch))
    log = scratch / "record.jsonl"
    xcom = scratch / "xcom"
    xcom.mkdir(exist_ok=True)
    # As the pod would run it, with /airflow/xcom and its /tmp mapped to scratch paths.
    mapped = {"/airflow/xcom": str(xcom), "/tmp/flowc-output": str(scratch / "output")}

    def in_scratch(word: str) -> str:
        for path, there in mapped.items():
            word = word.replace(path, there)
        return word

    emitted = []
    for call in calls:
        step, kwargs = _step_task_args(call)
        _FakePod.created.clear()
        namespace["step_task"](step, **kwargs)
        (pod,) = _FakePod.created
        arguments = templated(pod["arguments"])
        assert arguments[0] == PYTHON
        command = [in_scratch(c) for c in templated(pod["cmds"])]
        env = {**os.environ, "FLOWC_RECORD": str(log), "FLOWC_INDEX_PATH": index_of(ir.step(step))}
        argv = [recorder, *arguments[1:]]
        subprocess.run([*command, *argv], env=env, cwd=scratch, check=False)
        emitted += [Emitted(step, _after_launcher([PYTHON, *a])) for a in _recorded(log)]
    return emitted


# -- The local runner ----------------------------------------------------------------------


def local_commands(ir: FlowIR, scratch: Path) -> list[Emitted]:
    from flowc.runner.local import LocalRunner, RunOptions
    from flowc.runner.plan import TaskId

    options = RunOptions(
        flow_file="flow.py",
        datastore=str(scratch / "ds"),
        params={name: value for name, value in run_values(ir).items()},
        run_id=RUN_ID,
        python=PYTHON,
    )
    runner = LocalRunner(ir, options)
    emitted = []
    for step in ir.steps:
        task = TaskId(step.name, index_of(step), ITERATION if step.recursive else 0)
        emitted.append(Emitted(step.name, _after_launcher(runner.command(task, ATTEMPT))))
    return emitted
