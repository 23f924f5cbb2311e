"""The deploy verbs as functions: what ``flowc deploy/trigger/status/terminate/delete``
and the ``Deployer`` API both call, so the two cannot disagree.

Every function raises ``DeployError`` (``DeployConfigError`` for a missing credential,
``ParameterValueError`` for a bad trigger parameter) and never prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flowc.deploy._model import (
    DeployError,
    DeployOutcome,
    DeployTarget,
    ParameterInfo,
    RunStatus,
    TriggeredRunRef,
)
from flowc.deploy._runs import DeploymentRecord, Records, deploy_datastore


@dataclass(frozen=True)
class FlowDeployment:
    """Which deployment of a flow file a verb acts on."""

    flow_file: str
    target: str
    flow_name: str | None = None
    branch: str | None = None
    production: bool = False
    datastore: str | None = None
    #: ``--option`` values: the compiler's keys and the target's connection keys
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def root(self) -> str:
        return deploy_datastore(self.datastore)


def connect(target: str, options: Mapping[str, str]) -> DeployTarget:
    """The target, connected with ``options`` and credentials from the environment."""
    from flowc.deploy._registry import open_target

    return open_target(target, options)


def compiler_options(engine: DeployTarget, options: Mapping[str, str]) -> dict[str, str]:
    """The compiler's options: what the connection knows, under what the user gave,
    without the keys only the connection reads."""
    given = {k: v for k, v in options.items() if k not in engine.connection_options}
    return {**engine.compile_options(), **given}


def deploy_flow(request: FlowDeployment) -> DeployOutcome:
    """Compile the flow (errors: nothing is deployed) and create or update its resources;
    a successful deploy is recorded in the datastore for ``trigger``/``from_deployment``."""
    from flowc.deploy._compiled import compile_for_deploy

    root = request.root
    engine = connect(request.target, request.options)
    compiled = compile_for_deploy(
        request.flow_file,
        request.target,
        flow_name=request.flow_name,
        branch=request.branch,
        production=request.production,
        datastore_root=root,
        target_options=compiler_options(engine, request.options),
    )
    outcome = engine.deploy(compiled)
    if outcome.ok:
        record = DeploymentRecord(
            target=request.target,
            deployed_name=outcome.deployed_name,
            flow_name=compiled.flow_name,
            flow_file=compiled.flow_file,
            branch=request.branch,
            production=request.production,
            datastore_root=root,
            parameters=compiled.parameters,
        )
        records = Records(root)
        records.write_deployment(record)
        if compiled.deployed_name != outcome.deployed_name:
            # Renamed by an option: found from the flow file under its default name too.
            records.write_deployment(record, key=compiled.deployed_name)
    return outcome


def flow_parameters(request: FlowDeployment) -> tuple[str, tuple[ParameterInfo, ...], str]:
    """The flow's name, its parameters and the name it deploys under, read from the
    flow file without compiling it for the engine."""
    from flowc.deploy._compiled import _deployed_name, _flow_ir, _parameter_info

    ir = _flow_ir(request.flow_file, request.flow_name)
    name = _deployed_name(request.target, ir, request.branch, request.production, request.options)
    return ir.name, tuple(_parameter_info(p) for p in ir.parameters), name


def deployed_name_of(request: FlowDeployment, default_name: str) -> str:
    """The engine's name for the deployment: the recorded one (a ``state_machine_name``
    option may have renamed it), else the default the compiler gives."""
    record = Records(request.root).deployment(request.target, default_name)
    return record.deployed_name if record is not None else default_name


def trigger_deployed(
    target: str,
    deployed_name: str,
    rendered: Mapping[str, str],
    *,
    datastore: str | None = None,
    options: Mapping[str, str] | None = None,
) -> TriggeredRunRef:
    """Start a run of a deployed flow with parameters already checked and rendered
    (``check_parameters``), and record it so ``status`` finds it by its pathspec."""
    engine = connect(target, options or {})
    ref = engine.trigger(deployed_name, rendered)
    Records(deploy_datastore(datastore)).write_run(ref)
    return ref


def find_run(pathspec: str, datastore: str | None = None) -> TriggeredRunRef:
    """The triggered run ``Flow/RUN_ID`` as recorded by ``trigger``."""
    return Records(deploy_datastore(datastore)).run(pathspec)


def run_status(ref: TriggeredRunRef, options: Mapping[str, str] | None = None) -> RunStatus:
    return connect(ref.target, options or {}).status(ref)


def terminate_run(ref: TriggeredRunRef, options: Mapping[str, str] | None = None) -> None:
    connect(ref.target, options or {}).terminate(ref)


def delete_deployed(
    target: str,
    deployed_name: str,
    *,
    datastore: str | None = None,
    options: Mapping[str, str] | None = None,
    default_name: str | None = None,
) -> DeployOutcome:
    """Remove the deployment's resources from the engine and its record (and the record
    under its ``default_name``, when an option renamed it)."""
    outcome = connect(target, options or {}).delete(deployed_name)
    if outcome.ok:
        records = Records(deploy_datastore(datastore))
        for name in {deployed_name, default_name or deployed_name}:
            records.delete_deployment(target, name)
    return outcome


def deployment_record(
    target: str, deployed_name: str, datastore: str | None = None
) -> DeploymentRecord:
    """The record ``deploy`` wrote; DeployError when the flow was not deployed there."""
    record = Records(deploy_datastore(datastore)).deployment(target, deployed_name)
    if record is None:
        raise DeployError(
            f"no {target} deployment {deployed_name!r} is recorded in the datastore "
            f"{deploy_datastore(datastore)} (deploy it with flowc deploy, or give the "
            "datastore it was deployed with)"
        )
    return record


def describe_outcome(outcome: DeployOutcome) -> list[str]:
    """Human lines for a deploy or delete: each resource and what happened to it."""
    lines = [
        f"{r.kind} {r.name}: {r.change.value}{f' ({r.detail})' if r.detail else ''}"
        for r in outcome.resources
    ]
    if outcome.ok and not outcome.changed and outcome.resources:
        lines.append(f"{outcome.deployed_name} is up to date on {outcome.target}; nothing changed")
    if not outcome.ok:
        lines.append(
            f"the {outcome.target} deploy of {outcome.deployed_name} stopped at the failure "
            "above; resources marked 'not applied' were not touched. Fix the cause and run "
            "the same command again: applied resources are left as they are."
        )
    return lines
