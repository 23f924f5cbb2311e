"""The one interface every target implements.

``emit(ir, options)`` is pure: no I/O, no clock, no randomness. The same IR and options
give byte-identical files. What a target cannot express comes back as diagnostics
(FC3xx) that point at the flow's source line, never as a silent omission.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import FlowIR, Step
from runtime_shim import command as shim


@dataclass(frozen=True)
class EmittedFile:
    """A file to write, relative to the output directory."""

    path: str
    content: str


@dataclass
class TargetOptions:
    """Deployment settings shared by the targets (flags override ``[tool.flowc]``).

    ``extra`` carries target-specific settings (e.g. ``{"kind": "Workflow"}`` for argo,
    ``{"operator": "local"}`` for airflow, ``{"compute": "callback"}`` for step functions).
    """

    image: str = "python:3.11-slim"
    namespace: str | None = None
    service_account: str | None = None
    datastore_root: str = ".flowc"
    labels: dict[str, str] = field(default_factory=dict)
    code_package: str | None = None
    python: str = "python"
    # ``@project`` branch of the deployment (``flowc compile --branch/--production``).
    branch: str | None = None
    production: bool = False
    # The address of each step's locked @pypi environment (flowc.environments.
    # spec_environments): the task command names it and the shim enters it.
    environments: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class EmitResult:
    files: list[EmittedFile]
    diagnostics: list[Diagnostic]


class Backend(Protocol):
    name: str

    def emit(self, ir: FlowIR, options: TargetOptions) -> EmitResult: ...


@dataclass(frozen=True)
class Target:
    """One ``--target``: where its backend lives, what it emits, how its file is named.

    ``output`` is a ``str.format`` pattern over the names the backend fills in (see
    :meth:`output_file`); ``deploys`` is false for targets that only describe the flow.
    """

    name: str
    module: str
    description: str
    output: str
    deploys: bool = True

    def output_file(self, **names: str) -> str:
        return self.output.format(**names)


REGISTRY: dict[str, Target] = {
    target.name: target
    for target in (
        Target(
            "argo",
            "backends.argo",
            "Argo Workflows YAML: a WorkflowTemplate, Workflow or CronWorkflow",
            "{name}.{kind}.yaml",
        ),
        Target("airflow", "backends.airflow", "an Airflow 3 DAG file", "{dag_id}.py"),
        Target(
            "stepfunctions",
            "backends.stepfunctions",
            "an AWS Step Functions state machine in ASL JSON",
            "{name}.asl.json",
        ),
        Target("ir", "flowc.emit_ir", "the flow IR as JSON", "{flow}.ir.json", deploys=False),
    )
}
TARGET_NAMES = tuple(REGISTRY)
# The targets that run a flow on an engine (every target but the IR).
TARGETS = tuple(name for name, target in REGISTRY.items() if target.deploys)


def target_help() -> str:
    """The ``--target`` help text: one clause per registered target."""
    return "What to emit: " + "; ".join(f"{t.name} ({t.description})" for t in REGISTRY.values())


def get_backend(target: str) -> Backend:
    """Import a target lazily: each one pulls in its own heavy libraries."""
    import importlib

    if target not in REGISTRY:
        raise ValueError(f"unknown target {target!r}; choose one of {', '.join(TARGET_NAMES)}")
    module = importlib.import_module(REGISTRY[target].module)
    backend: Backend = module.BACKEND
    return backend


def step_command(
    ir: FlowIR,
    step: Step,
    *,
    flow_file: str,
    datastore: str,
    run_id: shim.Value = shim.RUN_ID,
    index_path: shim.Value = shim.INDEX_PATH,
    attempt: shim.Value = shim.ATTEMPT,
    iteration: shim.Value | None = shim.ITERATION,
    params: dict[str, shim.Value] | None = None,
    param_document: shim.Value | None = None,
    configs: shim.Value | None = None,
    environments: dict[str, str] | None = None,
    **outputs: str | None,
) -> shim.TaskCommand:
    """The shim command of ``step`` as the IR defines it, for every target and the local
    runner: the step and its input rule, the run's parameters on the start step only, an
    iteration for a recursive step only. Per-task values default to the placeholders the
    engine fills in; ``params`` defaults to every parameter's placeholder (an engine that
    holds them as one document passes ``params={}`` and ``param_document``); the start step
    also carries the resolved configs (``--configs``), a literal unless the engine passes
    its own ``configs`` placeholder; a step named in ``environments`` (step -> address,
    ``TargetOptions.environments``) runs in that locked environment; ``outputs`` are
    the remaining options (``foreach_count_out``, ``code_package``, ...)."""
    if params is None:
        params = {p.name: shim.param_value(p.name) for p in ir.parameters}
    return shim.TaskCommand(
        flow_file=flow_file,
        flow=ir.name,
        step=step.name,
        inputs=step.input_rule.render(),
        run_id=run_id,
        index_path=index_path,
        attempt=attempt,
        datastore=datastore,
        iteration=iteration if step.recursive else None,
        params=tuple(params.items()) if step.name == ir.start else (),
        configs=(configs or ir.config_document()) if step.name == ir.start else None,
        param_document=param_document if step.name == ir.start else None,
        environment=(environments or {}).get(step.name),
        **outputs,
    )


def unshared_datastore(root: str, where: str) -> Diagnostic | None:
    """FC306 when tasks that run in separate containers would each write to their own disk.

    A local root is right for the local runner and single-machine modes, and can be right on
    a cluster with a shared volume mounted at that path, so this is a warning, not an error.
    """
    if "://" in root:
        return None
    return diag(
        codes.FC306,
        f"datastore root {root!r} is a local path, but {where}: a step would not see the "
        "artifacts of the steps before it unless every container mounts a shared volume there",
        None,
        "pass --datastore s3://BUCKET/PREFIX or set `datastore` in [tool.flowc]",
    )


def exit_hooks(ir: FlowIR) -> tuple[list[str], list[str]]:
    """The function names of every ``@exit_hook`` of the flow: (on_success, on_error),
    empty without one. Metaflow's order: the decorator nearest the class first (the order
    Python applies them), each one's functions as written."""
    success: list[str] = []
    error: list[str] = []
    for deco in reversed(ir.decorators):
        if deco.name == "exit_hook":
            success.extend(deco.args.get("on_success") or ())
            error.extend(deco.args.get("on_error") or ())
    return success, error


def exit_hook_command(
    ir: FlowIR,
    *,
    python: str,
    flow_file: str,
    datastore: str,
    run_id: str,
    status: str | None = None,
    code_package: str | None = None,
) -> list[str]:
    """The argv of ``python -m runtime_shim exit-hooks`` (one command for the local runner
    and every target): both hook lists, and the engine's ``status`` of the run when it
    has one (else the command asks the datastore whether the end step committed)."""
    success, error = exit_hooks(ir)
    argv = [*map(str, shim.launcher(python)), "exit-hooks", flow_file, "--flow", ir.name]
    argv += ["--run-id", run_id, "--datastore", datastore, "--end", ir.end]
    if status is not None:
        argv += ["--status", status]
    if code_package is not None:
        argv += ["--code-package", code_package]
    for name in success:
        argv += ["--on-success", name]
    for name in error:
        argv += ["--on-error", name]
    return argv
