"""What every deploy target shares: the compiled files it applies, what it reports back,
and the interface each engine implements.

A target is one class per engine (``flowc/deploy/<engine>.py``) registered by name in
``flowc.deploy._registry``. The CLI verbs (``flowc deploy/trigger/status/terminate/delete``)
and the ``Deployer`` API call only this interface, so an engine's quirks stay in its module.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar


class DeployError(Exception):
    """A deployment problem the user can fix (missing credentials, an engine refusing a
    request); the CLI prints it without a traceback and exits 1."""


class DeployConfigError(DeployError):
    """A credential or endpoint is missing; the message names which and where it is read
    from (environment variable, kubeconfig, AWS profile)."""


class ParameterValueError(DeployError):
    """A trigger's parameter is unknown, missing or of the wrong type; raised before the
    engine is asked to start anything."""


@dataclass(frozen=True)
class EmittedFile:
    """One file the compiler emitted for the target, relative to its output directory."""

    path: str
    content: str


@dataclass(frozen=True)
class ParameterInfo:
    """A flow parameter as ``trigger`` needs it: its name, type and whether it has a
    default, so a wrong value is refused before anything starts."""

    name: str
    type: str
    required: bool
    has_default: bool
    default: Any = None
    #: the source text of a non-literal default, which the run evaluates
    default_source: str | None = None

    @property
    def needed(self) -> bool:
        """A trigger must give this parameter (required, and no default of any kind)."""
        return self.required and not self.has_default and self.default_source is None


@dataclass(frozen=True)
class CompiledDeployment:
    """A flow compiled for one target, ready to apply: the engine name it deploys under
    (project- and branch-aware), the emitted files, and the parameters it accepts."""

    target: str
    flow_file: str
    flow_name: str
    deployed_name: str
    files: tuple[EmittedFile, ...]
    parameters: tuple[ParameterInfo, ...]
    datastore_root: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def file_ending(self, suffix: str) -> EmittedFile:
        """The single emitted file whose path ends in ``suffix``."""
        found = [f for f in self.files if f.path.endswith(suffix)]
        if len(found) != 1:
            raise DeployError(
                f"expected one {suffix} file from the {self.target} compiler, got {len(found)}"
            )
        return found[0]


class ResourceChange(enum.Enum):
    """What deploying did to one engine resource."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DELETED = "deleted"
    FAILED = "failed"
    NOT_APPLIED = "not applied"


@dataclass(frozen=True)
class ResourceOutcome:
    """One engine resource (a state machine, a schedule, a DAG file, a WorkflowTemplate)
    and what happened to it; ``detail`` explains a failure."""

    kind: str
    name: str
    change: ResourceChange
    detail: str = ""


@dataclass(frozen=True)
class DeployOutcome:
    """Every resource a deploy (or delete) touched, in the order they were applied. A
    deploy that failed half-way lists what was applied, what failed and what was not
    applied, so a re-run can converge."""

    target: str
    deployed_name: str
    resources: tuple[ResourceOutcome, ...]

    @property
    def ok(self) -> bool:
        return all(r.change is not ResourceChange.FAILED for r in self.resources)

    @property
    def changed(self) -> bool:
        return any(r.change is not ResourceChange.UNCHANGED for r in self.resources)


class RunState(enum.Enum):
    """A run's state in the engine, mapped to Metaflow's vocabulary."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TERMINATED = "TERMINATED"

    @property
    def finished(self) -> bool:
        return self in (RunState.SUCCEEDED, RunState.FAILED, RunState.TERMINATED)


@dataclass(frozen=True)
class TriggeredRunRef:
    """A run started on an engine: the flowc run id the tasks write under (the client's
    ``Flow/run_id`` pathspec) and the engine's own handle (execution ARN, workflow name,
    DAG run id)."""

    target: str
    flow_name: str
    deployed_name: str
    run_id: str
    engine_run_id: str

    @property
    def pathspec(self) -> str:
        return f"{self.flow_name}/{self.run_id}"


@dataclass(frozen=True)
class TaskStatus:
    """One step's tasks as the engine reports them: attempts made and the last state."""

    step: str
    state: RunState
    attempts: int = 1
    detail: str = ""


@dataclass(frozen=True)
class RunStatus:
    """A run's state with the engine's own word for it and its tasks."""

    ref: TriggeredRunRef
    state: RunState
    engine_state: str
    tasks: tuple[TaskStatus, ...] = ()


class DeployTarget(ABC):
    """One engine's deploy operations. Constructing one reads credentials and endpoints
    from the ecosystem's usual places (``from_environment``); every method talks to the
    engine and raises ``DeployError`` with an actionable message on failure."""

    name: ClassVar[str]
    #: ``--option`` keys this target reads when it connects (key -> meaning); they are
    #: handed to ``from_environment`` and kept out of the compiler's options.
    connection_options: ClassVar[Mapping[str, str]] = {}

    @classmethod
    @abstractmethod
    def from_environment(cls, options: Mapping[str, Any]) -> DeployTarget:
        """Read endpoints/credentials (``options`` first, then the environment); raise
        ``DeployConfigError`` naming what is missing."""

    def compile_options(self) -> Mapping[str, str]:
        """Compiler options this connection knows (an AWS region and account) that the
        user did not give; the user's own ``--option`` values win."""
        return {}

    @abstractmethod
    def deploy(self, compiled: CompiledDeployment) -> DeployOutcome:
        """Create or update every resource of the flow; unchanged ones are left alone."""

    @abstractmethod
    def trigger(self, deployed_name: str, parameters: Mapping[str, str]) -> TriggeredRunRef:
        """Start a run of a deployed flow. ``parameters`` are already checked against the
        flow's and rendered: name -> the value as JSON text (``json.dumps`` of the typed
        value), the form every engine hands the start step as ``--param NAME=JSON``.
        The returned ref's ``run_id`` is the flowc run id the tasks write under; use
        ``flowc.deploy.new_run_id(target)`` so its prefix names the engine."""

    @abstractmethod
    def status(self, ref: TriggeredRunRef) -> RunStatus:
        """The run's current state and its tasks."""

    @abstractmethod
    def terminate(self, ref: TriggeredRunRef) -> None:
        """Stop a running run; finished runs are left as they are."""

    @abstractmethod
    def delete(self, deployed_name: str) -> DeployOutcome:
        """Remove every resource ``deploy`` created for the flow."""
