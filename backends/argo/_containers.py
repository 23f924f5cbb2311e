"""One container template per step, running the shim command as an argv list.

No shell is involved: ``command``/``args`` are passed to the container runtime as a list,
so nothing in them is word-split or expanded except Kubernetes' ``$(VAR)`` references,
which :func:`container_literal` neutralises. The only Argo expressions in a step's args
are flowc's own (``{{inputs.parameters.idx}}``, ``{{workflow.name}}``, ``{{retries}}``)
plus ``{{workflow.parameters.P}}`` for the start step, whose values are inert JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

from backends.argo._decorators import StepSettings
from backends.argo._literals import LBRACE_VAR, container_literal
from backends.argo._model import (
    Backoff,
    Container,
    ContainerPort,
    EnvFromSource,
    EnvVar,
    Inputs,
    Metadata,
    Outputs,
    Parameter,
    ResourceRequirements,
    RetryStrategy,
    SecretEnvSource,
    Template,
    ValueFrom,
)
from backends.argo._options import ArgoOptions
from backends.base import exit_hook_command, step_command
from flowc.ir import FlowIR, Step
from runtime_shim import command as shim

IDX = "idx"
ITERATION = "iteration"
COUNT = "count"
SWITCH = "switch"
COUNT_PATH = "/tmp/flowc/count"
SWITCH_PATH = "/tmp/flowc/switch"


@dataclass
class StepNames:
    """The Argo names chosen for one flow: templates and workflow parameters."""

    templates: dict[str, str]
    parameters: dict[str, str]


class ArgoEngine(shim.Substitution):
    """Argo's spelling of the shim command's placeholders; literals are neutralised for
    Kubernetes' ``$(VAR)`` expansion."""

    def __init__(self, names: StepNames) -> None:
        self.names = names

    def literal(self, text: str) -> str:
        return container_literal(text)

    def placeholder(self, value: shim.Placeholder) -> str:
        if value.kind == "param":
            return f"{{{{workflow.parameters.{self.names.parameters[value.name]}}}}}"
        return _EXPRESSIONS[value.kind]


_EXPRESSIONS = {
    shim.RUN_ID.kind: "{{workflow.name}}",
    shim.INDEX_PATH.kind: f"{{{{inputs.parameters.{IDX}}}}}",
    shim.ATTEMPT.kind: "{{retries}}",
    shim.ITERATION.kind: f"{{{{inputs.parameters.{ITERATION}}}}}",
}


def shim_args(
    ir: FlowIR,
    step: Step,
    opts: ArgoOptions,
    names: StepNames,
    in_foreach: bool,
    settings: StepSettings,
    engine: ArgoEngine | None = None,
) -> list[str]:
    """The shim command after ``python -m runtime_shim`` (runtime_shim/command.py);
    ``engine`` spells the placeholders (Argo's template tags unless given)."""
    command = step_command(
        ir,
        step,
        flow_file=opts.flow_file,
        datastore=opts.datastore_root,
        index_path=shim.INDEX_PATH if in_foreach else "",
        attempt=shim.ATTEMPT if settings.retries > 0 else "0",
        foreach_count_out=COUNT_PATH if step.transition == "foreach" else None,
        switch_out=SWITCH_PATH if step.switch is not None else None,
        code_package=opts.code_package or None,
        environments=opts.environments,
    )
    return shim.render(command, engine or ArgoEngine(names))


def step_container(args: list[str], opts: ArgoOptions, settings: StepSettings) -> Container:
    """The container running ``args`` (a rendered shim command) with the step's image,
    environment, secrets and resources."""
    env = [EnvVar(name=k, value=container_literal(v)) for k, v in settings.env]
    if any(f"$({LBRACE_VAR})" in text for text in args + [e.value or "" for e in env]):
        env.insert(0, EnvVar(name=LBRACE_VAR, value="{"))
    resources = None
    if settings.requests or settings.limits:
        resources = ResourceRequirements(
            requests=dict(settings.requests) or None,
            limits=dict(settings.limits) or None,
        )
    return Container(
        image=settings.image or opts.image,
        command=list(shim.launcher(opts.python)),
        args=args,
        env=env or None,
        env_from=[EnvFromSource(secret_ref=SecretEnvSource(name=s)) for s in settings.secrets]
        or None,
        resources=resources,
        image_pull_policy=settings.image_pull_policy,
        ports=[ContainerPort(container_port=settings.port)] if settings.port else None,
    )


def pod_metadata(settings: StepSettings) -> Metadata | None:
    """The pod's labels and annotations from @kubernetes, if it sets any."""
    if not (settings.pod_labels or settings.pod_annotations):
        return None
    return Metadata(
        labels=settings.pod_labels or None, annotations=settings.pod_annotations or None
    )


def container_template(
    ir: FlowIR,
    step: Step,
    opts: ArgoOptions,
    names: StepNames,
    in_foreach: bool,
    settings: StepSettings,
) -> Template:

    args = shim_args(ir, step, opts, names, in_foreach, settings)
    inputs = [Parameter(name=IDX)] if in_foreach else []
    if step.recursive:
        inputs.append(Parameter(name=ITERATION))
    outputs = []
    if step.transition == "foreach":
        outputs.append(Parameter(name=COUNT, value_from=ValueFrom(path=COUNT_PATH)))
    if step.switch is not None:
        outputs.append(Parameter(name=SWITCH, value_from=ValueFrom(path=SWITCH_PATH)))
    retry = None
    if settings.retries > 0:
        retry = RetryStrategy(
            limit=str(settings.retries),
            retry_policy="Always",
            backoff=Backoff(duration=f"{settings.retry_delay_seconds}s")
            if settings.retry_delay_seconds
            else None,
        )
    return Template(
        name=names.templates[step.name],
        metadata=pod_metadata(settings),
        inputs=Inputs(parameters=inputs) if inputs else None,
        outputs=Outputs(parameters=outputs) if outputs else None,
        container=step_container(args, opts, settings),
        retry_strategy=retry,
        active_deadline_seconds=settings.timeout_seconds if settings.timeout_seconds else None,
        node_selector=settings.node_selector or None,
        tolerations=settings.tolerations or None,
        service_account_name=settings.service_account,
    )


def exit_hook_template(
    ir: FlowIR, opts: ArgoOptions, name: str, settings: StepSettings
) -> Template:
    """The workflow's ``onExit`` handler: the shim's ``exit-hooks`` command, which runs the
    ``@exit_hook`` functions the workflow's ``{{workflow.status}}`` selects (on_success
    for ``Succeeded``, on_error otherwise). It runs in the start step's container
    settings (image, environment, secrets, placement), as Metaflow's hooks do, without
    its retries or deadline."""
    argv = exit_hook_command(
        ir,
        python=opts.python,
        flow_file=container_literal(opts.flow_file),
        datastore=container_literal(opts.datastore_root),
        run_id="{{workflow.name}}",
        status="{{workflow.status}}",
        code_package=container_literal(opts.code_package) if opts.code_package else None,
    )
    launch = len(shim.launcher(opts.python))
    env = [EnvVar(name=k, value=container_literal(v)) for k, v in settings.env]
    if any(f"$({LBRACE_VAR})" in text for text in argv + [e.value or "" for e in env]):
        env.insert(0, EnvVar(name=LBRACE_VAR, value="{"))
    container = Container(
        image=settings.image or opts.image,
        command=argv[:launch],
        args=argv[launch:],
        env=env or None,
        env_from=[EnvFromSource(secret_ref=SecretEnvSource(name=s)) for s in settings.secrets]
        or None,
        image_pull_policy=settings.image_pull_policy,
    )
    return Template(
        name=name,
        container=container,
        node_selector=settings.node_selector or None,
        tolerations=settings.tolerations or None,
        service_account_name=settings.service_account,
    )
