"""Metaflow's ``Deployer`` API on flowc's deploy targets.

```python
from metaflow import Deployer          # or: from flowc.deploy.deployer import Deployer

deployed = Deployer("flows/train.py").step_functions().create(role_arn=ROLE)
run = deployed.trigger(alpha=0.5)      # checked against the flow's parameters first
run.wait_for_run()                     # the client Run, once the start task has begun
run.status                             # "RUNNING", "SUCCEEDED", ...
run.terminate()
DeployedFlow.from_deployment("TrainFlow").trigger()
```

The shape is Metaflow 2.19's (``metaflow/runner/deployer.py``): ``Deployer(flow_file,
…).argo_workflows() / .step_functions() / .airflow()`` gives an implementation whose
``create(**options)`` deploys and returns a :class:`DeployedFlow`; its ``trigger(**params)``
returns a :class:`TriggeredRun`. Metaflow runs its CLI in a subprocess; flowc calls the same
functions as ``flowc deploy/trigger/status`` in this process (``flowc.deploy._operations``),
so errors are ``flowc.deploy.DeployError`` raised here. ``create``'s options are the target
options of ``flowc deploy --option`` (``role_arn=…``, ``compute=…``), plus ``branch``,
``production`` and ``datastore``, and Metaflow's ``max_workers``, ``workflow_priority``
and ``use_distributed_map`` (as the flow file's ``create`` flags map them). Metaflow's
``profile`` names a Metaflow config file (``~/.metaflowconfig/config_NAME.json``), which
flowc does not read: a profile is refused rather than ignored, since the deployment would
not get what the profile says. ``env`` is set around each call.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Mapping
from typing import Any

from flowc.deploy._model import (
    DeployError,
    DeployOutcome,
    ParameterInfo,
    RunState,
    RunStatus,
    TriggeredRunRef,
)

__all__ = ["DeployedFlow", "Deployer", "DeployerImpl", "TriggeredRun"]


class Deployer:
    """Configure a deployment of ``flow_file``; pick the engine with one of the methods."""

    def __init__(
        self,
        flow_file: str,
        show_output: bool = True,
        profile: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        file_read_timeout: int = 3600,
        **kwargs: Any,
    ) -> None:
        if profile is not None:
            raise DeployError(
                f"Deployer(profile={profile!r}): flowc reads no Metaflow config profiles; "
                "pass the connection and datastore as create() options (e.g. "
                "datastore='s3://…', role_arn=…) or set them in env="
            )
        base = cwd or os.getcwd()
        self.flow_file = flow_file if os.path.isabs(flow_file) else os.path.join(base, flow_file)
        self.show_output = show_output
        self.profile = profile
        self.env = dict(env or {})
        self.cwd = cwd
        self.file_read_timeout = file_read_timeout
        self.top_level_kwargs = kwargs

    def argo_workflows(self, name: str | None = None, **deployer_kwargs: Any) -> DeployerImpl:
        return DeployerImpl(self, "argo", name, deployer_kwargs)

    def step_functions(self, name: str | None = None, **deployer_kwargs: Any) -> DeployerImpl:
        return DeployerImpl(self, "stepfunctions", name, deployer_kwargs)

    def airflow(self, name: str | None = None, **deployer_kwargs: Any) -> DeployerImpl:
        return DeployerImpl(self, "airflow", name, deployer_kwargs)


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_SETTINGS = ("branch", "production", "datastore", "flow")


class DeployerImpl:
    """One engine's deployer for the flow; ``create`` deploys it."""

    def __init__(
        self, deployer: Deployer, target: str, name: str | None, kwargs: Mapping[str, Any]
    ) -> None:
        self.deployer = deployer
        self.target = target
        self.TYPE = target
        self.deployer_kwargs = {**deployer.top_level_kwargs, **kwargs}
        if name is not None:
            self.deployer_kwargs.setdefault(_NAME_OPTIONS.get(target, "name"), name)
        self.name: str | None = None
        self.flow_name: str | None = None
        self.outcome: DeployOutcome | None = None

    def __enter__(self) -> DeployerImpl:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def create(self, **kwargs: Any) -> DeployedFlow:
        """Deploy (create or update) the flow; DeployError if anything failed, with the
        outcome (what was and was not applied) in the message and on ``.outcome``."""
        from flowc.deploy._operations import FlowDeployment, deploy_flow, describe_outcome

        given = metaflow_keywords(self.target, {**self.deployer_kwargs, **kwargs})
        settings = {k: given.pop(k) for k in _SETTINGS if k in given}
        request = FlowDeployment(
            flow_file=self.deployer.flow_file,
            target=self.target,
            flow_name=settings.get("flow"),
            branch=settings.get("branch"),
            production=bool(settings.get("production", False)),
            datastore=settings.get("datastore"),
            options={k: _option_text(v) for k, v in given.items()},
        )
        with _environment(self.deployer.env):
            outcome = deploy_flow(request)
        self.outcome = outcome
        if self.deployer.show_output:
            print("\n".join(describe_outcome(outcome)))
        if not outcome.ok:
            raise DeployError("\n".join(describe_outcome(outcome)))
        from flowc.deploy._operations import deployment_record

        record = deployment_record(self.target, outcome.deployed_name, request.root)
        self.name, self.flow_name = outcome.deployed_name, record.flow_name
        return DeployedFlow(
            self.target,
            outcome.deployed_name,
            record.flow_name,
            record.parameters,
            record.datastore_root,
            request.options,
            self.deployer.env,
        )


#: Metaflow's ``create`` keywords that are flowc target options of another name, per
#: engine (the flow file's ``create`` flags of the same names set the same options).
_RENAMED: dict[str, dict[str, str]] = {
    "max_workers": {"stepfunctions": "max_concurrency", "argo": "parallelism"},
    "workflow_priority": {"argo": "priority"},
}
#: ``use_distributed_map=True/False`` -> ``map_mode`` (Step Functions).
_MAP_MODES = {True: "distributed", False: "inline"}


def metaflow_keywords(target: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` with Metaflow's keyword names (``max_workers=4``) as flowc's target
    options (``max_concurrency``/``parallelism``); a keyword given both ways with
    different values is a ``DeployError``. Metaflow keywords flowc cannot apply
    (``authorize=``, ``notify_on_error=``) stay as they are: the compiler refuses an
    unknown option (FC305), so none is dropped."""
    out = dict(given)
    for keyword, names in _RENAMED.items():
        if keyword in out and target in names:
            _rename(out, keyword, names[target], out.pop(keyword))
    if target == "stepfunctions" and "use_distributed_map" in out:
        _rename(
            out, "use_distributed_map", "map_mode", _MAP_MODES[bool(out.pop("use_distributed_map"))]
        )
    return out


def _rename(options: dict[str, Any], keyword: str, key: str, value: Any) -> None:
    if key in options and _option_text(options[key]) != _option_text(value):
        raise DeployError(
            f"{keyword}={value!r} sets option {key}, but {key}={options[key]!r} was given "
            "too; give one of them"
        )
    options[key] = value


# The option that names the deployment on each engine (Deployer(...).X(name=...)).
_NAME_OPTIONS = {"stepfunctions": "state_machine_name"}


def _option_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


class DeployedFlow:
    """A flow deployed on an engine: trigger runs of it, find its runs, delete it."""

    def __init__(
        self,
        target: str,
        name: str,
        flow_name: str,
        parameters: tuple[ParameterInfo, ...],
        datastore: str,
        options: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.target = target
        self.TYPE = target
        self.name = name
        self.flow_name = flow_name
        self.parameters = parameters
        self.datastore = datastore
        self.options = dict(options or {})
        self.env = dict(env or {})

    def __repr__(self) -> str:
        return f"DeployedFlow({self.target}, {self.name!r})"

    @classmethod
    def from_deployment(
        cls,
        identifier: str,
        metadata: str | None = None,
        impl: str | None = None,
        *,
        datastore: str | None = None,
        options: Mapping[str, str] | None = None,
    ) -> DeployedFlow:
        """The deployment named ``identifier`` (its engine name, as ``.name``), found in
        the datastore's deployment records; ``impl`` picks the engine when several have
        a deployment of that name (``argo-workflows``, ``step-functions``, ``airflow``
        or flowc's target names). ``metadata`` is accepted for Metaflow's signature."""
        from flowc.deploy._registry import TARGETS
        from flowc.deploy._runs import Records, deploy_datastore

        records = Records(deploy_datastore(datastore))
        wanted = [_TARGET_OF_IMPL.get(impl, impl)] if impl else sorted(TARGETS)
        found = [r for t in wanted if t and (r := records.deployment(t, identifier))]
        if len(found) != 1:
            where = ", ".join(r.target for r in found) if found else "no engine"
            raise DeployError(
                f"deployment {identifier!r} is recorded for {where} in {records.root}"
                + ("; choose one with impl=" if found else "")
            )
        record = found[0]
        return cls(
            record.target,
            record.deployed_name,
            record.flow_name,
            record.parameters,
            record.datastore_root,
            options,
        )

    @classmethod
    def get_triggered_run(
        cls,
        identifier: str,
        run_id: str,
        metadata: str | None = None,
        *,
        datastore: str | None = None,
    ) -> TriggeredRun:
        """The run ``run_id`` of the deployment ``identifier``."""
        deployed = cls.from_deployment(identifier, metadata, datastore=datastore)
        from flowc.deploy._operations import find_run

        ref = find_run(f"{deployed.flow_name}/{run_id}", deployed.datastore)
        return TriggeredRun(deployed, ref)

    def trigger(self, **kwargs: Any) -> TriggeredRun:
        """Start a run; the keyword arguments are the flow's parameters, checked before
        anything starts (``ParameterValueError``: unknown, missing or wrong type)."""
        from flowc.deploy._operations import trigger_deployed
        from flowc.deploy._params import check_parameters

        rendered = check_parameters(self.parameters, kwargs)
        with _environment(self.env):
            ref = trigger_deployed(
                self.target, self.name, rendered, datastore=self.datastore, options=self.options
            )
        return TriggeredRun(self, ref)

    def delete(self, **kwargs: Any) -> bool:
        """Remove the deployment's resources; True when nothing failed."""
        from flowc.deploy._operations import delete_deployed

        with _environment(self.env):
            outcome = delete_deployed(
                self.target, self.name, datastore=self.datastore, options=self.options
            )
        return outcome.ok


# Metaflow's names of the engines, as ``from_deployment(impl=...)`` takes them.
_TARGET_OF_IMPL = {
    "argo-workflows": "argo",
    "step-functions": "stepfunctions",
}


class TriggeredRun:
    """A run started on an engine."""

    def __init__(self, deployed: DeployedFlow, ref: TriggeredRunRef) -> None:
        self.deployed_flow = deployed
        self.ref = ref
        self.pathspec = ref.pathspec
        self.name = ref.run_id

    def __repr__(self) -> str:
        return f"TriggeredRun({self.pathspec!r} on {self.ref.target})"

    @property
    def run(self) -> Any:
        """The client ``Run`` once the start task has begun, else None."""
        from flowc.client import Run
        from runtime_shim.exceptions import MetaflowNotFound

        try:
            return Run(self.pathspec, self.deployed_flow.datastore, _namespace_check=False)
        except MetaflowNotFound:
            return None

    def wait_for_run(self, check_interval: float = 5, timeout: float | None = None) -> Any:
        """Wait for :attr:`run` to exist; TimeoutError after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            found = self.run
            if found is not None:
                return found
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{self.pathspec} did not start within {timeout} s")
            time.sleep(check_interval)

    def describe(self) -> RunStatus:
        """The run's state and its tasks' as the engine reports them."""
        from flowc.deploy._operations import run_status

        with _environment(self.deployed_flow.env):
            return run_status(self.ref, self.deployed_flow.options)

    @property
    def status(self) -> str:
        """The run's state: PENDING, RUNNING, SUCCEEDED, FAILED or TERMINATED."""
        return self.describe().state.value

    def wait_for_completion(
        self, check_interval: float = 2, timeout: float | None = None
    ) -> RunStatus:
        """Wait until the run has finished; TimeoutError after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            current = self.describe()
            if current.state.finished:
                return current
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{self.pathspec} still {current.state.value} after {timeout} s")
            time.sleep(check_interval)

    @property
    def is_running(self) -> bool:
        return self.describe().state in (RunState.PENDING, RunState.RUNNING)

    def terminate(self, **kwargs: Any) -> bool:
        """Stop the run; True when the engine accepted (a finished run stays as it is)."""
        from flowc.deploy._operations import terminate_run

        with _environment(self.deployed_flow.env):
            terminate_run(self.ref, self.deployed_flow.options)
        return True
