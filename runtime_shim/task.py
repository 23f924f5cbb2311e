"""Running one task: resolve inputs, run the step, persist, commit.

The sequence is the contract every backend relies on:
1. an already committed task is not run again (its outputs are rewritten and it exits 0);
2. the artifacts' blobs and what the record cannot hold (long logs, a foreach split's
   foreach.json, cards) are written under attempt-N/;
3. the task's record (``STEP/TASK.json``: the attempt's metadata, artifact refs, short
   logs and transition) is created last and conditionally; only then is the exit code 0.
A crash or kill at any point before step 3 leaves no visible task. An attempt that fails
(or loses the race to commit) is recorded in ``TASK/attempt-N.json`` instead.
"""

from __future__ import annotations

import json
import os
import sys
import time

from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.layout import FlowDatastore, task_id, task_key
from runtime_shim.inputs import child_path, resolve

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

    from runtime_shim.datastore.layout import ArtifactRef
    from runtime_shim.inputs import ResolvedInputs
    from runtime_shim.supervisor import LogSpool


class TaskSpec:
    """The arguments of ``python -m runtime_shim step``."""

    def __init__(
        self,
        flow_file: str,
        flow: str,
        step: str,
        inputs: str,
        run_id: str,
        index_path: str,
        attempt: int,
        datastore: str,
        iteration: int = 0,
        params: dict[str, Any] | None = None,
        foreach_out: str | None = None,
        foreach_count_out: str | None = None,
        switch_out: str | None = None,
        origin_run_id: str | None = None,
        configs: dict[str, Any] | None = None,
    ) -> None:
        self.flow_file = flow_file
        self.flow = flow
        self.step = step
        self.inputs = inputs
        self.run_id = run_id
        self.index_path = index_path
        self.attempt = attempt
        self.datastore = datastore
        self.iteration = iteration
        self.params = params or {}
        self.foreach_out = foreach_out
        self.foreach_count_out = foreach_count_out
        self.switch_out = switch_out
        self.origin_run_id = origin_run_id
        self.configs = configs


class StepFailed(Exception):
    """The step raised; the attempt is recorded as failed and not committed."""


class _Tee:
    """Writes to the task's log file and, unless disabled, to the original stream.

    The log is flushed on every write: what the step printed is on disk if its process
    dies the next instant (``runtime_shim.supervisor``).
    """

    def __init__(self, log: TextIO, echo: TextIO | None) -> None:
        self.log = log
        self.echo = echo

    def write(self, text: str) -> int:
        self.log.write(text)
        self.log.flush()
        if self.echo is not None:
            self.echo.write(text)
        return len(text)

    def flush(self) -> None:
        self.log.flush()
        if self.echo is not None:
            self.echo.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return "utf-8"


def write_outputs(spec: TaskSpec, record: dict[str, Any]) -> None:
    count = record.get("foreach_count")
    if count is not None:
        if spec.foreach_out:
            paths = [child_path(spec.index_path, k) for k in range(int(count))]
            _write_text(spec.foreach_out, json.dumps(paths))
        if spec.foreach_count_out:
            _write_text(spec.foreach_count_out, str(int(count)))
    if spec.switch_out and record.get("switch_target"):
        _write_text(spec.switch_out, record["switch_target"])


def _write_text(path: str, text: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def run_task(spec: TaskSpec) -> int:
    """Execute one task; return the process exit code (0 only once committed)."""
    from runtime_shim.supervisor import supervised

    ds = FlowDatastore(open_object_store(spec.datastore), spec.flow)
    key = task_key(spec.index_path, spec.iteration)
    # The task's own run is in this layout: no need to look for an earlier one's marker.
    existing = ds.committed(spec.run_id, spec.step, key, legacy=False)
    if existing is not None:
        write_outputs(spec, existing)
        return 0
    # A step that reads other runs (``from flowc import Flow``) sees this run's datastore.
    os.environ.setdefault("FLOWC_DATASTORE", spec.datastore)
    meta: dict[str, Any] = {
        "flow": spec.flow,
        "run_id": spec.run_id,
        "step": spec.step,
        "task": key,
        "index_path": spec.index_path,
        "iteration": spec.iteration,
        "attempt": spec.attempt,
        "inputs": spec.inputs,
        "started": time.time(),
    }
    return supervised(
        lambda spool: _run_attempt(spec, ds, key, meta, spool),
        lambda spool, signum: _record_killed(spec, ds, key, meta, spool, signum),
    )


def _run_attempt(
    spec: TaskSpec, ds: FlowDatastore, key: str, meta: dict[str, Any], spool: LogSpool
) -> int:
    import faulthandler

    echo = os.environ.get("FLOWC_TASK_ECHO", "1") != "0"
    meta["pid"] = os.getpid()
    out, err = spool.open("stdout.log"), spool.open("stderr.log")
    faulthandler.enable(file=err)
    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout = _Tee(out, real_out if echo else None)
    sys.stderr = _Tee(err, real_err if echo else None)
    try:
        artifacts, record = _execute(spec, ds, meta)
    except BaseException as exc:
        import traceback

        traceback.print_exc()
        meta.update(status="failed", exception=_describe(exc))
        artifacts, record = None, None
    finally:
        sys.stdout, sys.stderr = real_out, real_err
        faulthandler.disable()
    meta["finished"] = time.time()
    count = record.get("foreach_count") if record is not None else None
    fields = ds.attempt_fields(
        spec.run_id,
        spec.step,
        key,
        spec.attempt,
        meta,
        _streams(spool.logs()),
        artifacts,
        foreach_count=None if count is None else int(count),
    )
    if record is None:
        ds.write_attempt(spec.run_id, spec.step, key, spec.attempt, fields)
        exc_info = meta.get("exception", {})
        if not echo:
            print(
                f"flowc: task {spec.step}/{key} failed: {exc_info.get('type')}: "
                f"{exc_info.get('message')}",
                file=sys.stderr,
            )
        return 1
    if not ds.commit(spec.run_id, spec.step, key, dict(record, **fields)):
        # Another attempt committed first: keep this one's record beside it.
        ds.write_attempt(spec.run_id, spec.step, key, spec.attempt, fields)
        record = ds.committed(spec.run_id, spec.step, key) or record
    write_outputs(spec, record)
    from runtime_shim.events import ARGO_DEPLOYED_VARIABLE

    if "next" not in record and os.environ.get(ARGO_DEPLOYED_VARIABLE):
        # The end task of a deployed Argo run succeeded: the run is finished, which is
        # what @trigger_on_finish waits for.
        from runtime_shim.argo_events import publish_finished_run
        from runtime_shim.current import current

        publish_finished_run(current, spec.step)
    return 0


def _record_killed(
    spec: TaskSpec,
    ds: FlowDatastore,
    key: str,
    meta: dict[str, Any],
    spool: LogSpool,
    signum: int,
) -> int:
    """The attempt's process died from ``signum``: record it as failed, with its logs."""
    from runtime_shim.supervisor import signal_message

    committed = ds.committed(spec.run_id, spec.step, key)
    if committed is not None:  # killed after its commit: the task is done
        write_outputs(spec, committed)
        return 0
    message = signal_message(signum)
    logs = spool.logs()
    logs["stderr.log"] += message + "\n"
    print(f"flowc: task {spec.step}/{key}: {message}", file=sys.stderr)
    meta.update(
        status="failed",
        finished=time.time(),
        signal=signum,
        exception={"type": "signal", "message": message, "traceback": ""},
    )
    fields = ds.attempt_fields(spec.run_id, spec.step, key, spec.attempt, meta, _streams(logs))
    ds.write_attempt(spec.run_id, spec.step, key, spec.attempt, fields)
    return 1


def _streams(logs: dict[str, str]) -> dict[str, str]:
    """The spool's ``stdout.log``/``stderr.log`` by stream name (``stdout``, ``stderr``)."""
    return {name.removesuffix(".log"): text for name, text in logs.items()}


def _describe(exc: BaseException) -> dict[str, Any]:
    import traceback

    from runtime_shim.exceptions import metaflow_class_path

    return {
        "type": metaflow_class_path(type(exc)),
        "message": str(exc),
        "traceback": "".join(traceback.format_exception(exc)),
    }


def _execute(
    spec: TaskSpec, ds: FlowDatastore, meta: dict[str, Any]
) -> tuple[dict[str, ArtifactRef], dict[str, Any]]:
    from runtime_shim.cards import lifecycle as cards
    from runtime_shim.current import current
    from runtime_shim.decorators import step_decorators
    from runtime_shim.flowspec import Inputs, TaskState
    from runtime_shim.loader import load_flow_class
    from runtime_shim.params import parameter_refs
    from runtime_shim.plugin_decorators import TaskHooks
    from runtime_shim.step_call import call_step
    from runtime_shim.user_decorators import apply_mutators

    cls = load_flow_class(spec.flow_file, spec.flow)
    apply_mutators(cls)
    func = getattr(cls, spec.step, None)
    if func is None or getattr(func, "is_step", False) is not True:
        raise LookupError(f"flow {spec.flow} has no step {spec.step!r}")
    resolved: ResolvedInputs = resolve(
        ds, spec.run_id, spec.step, spec.inputs, spec.index_path, spec.iteration
    )
    meta["parents"] = [f"{p.step}/{p.task}" for p in resolved.parents]
    # The run's configs before the decorators: their arguments may read configs.
    run_record, params = parameter_refs(ds, cls, spec, lambda: _set_project(cls))
    decos = step_decorators(func)
    for name, value in (decos.get("environment", {}).get("vars") or {}).items():
        os.environ[str(name)] = str(value)
    state = TaskState(
        step=spec.step, load=ds.load_value, frames=resolved.frames, is_join=resolved.is_join
    )
    if resolved.is_join:
        state.refs = dict(params)
    elif resolved.parents:
        state.refs = dict(resolved.parents[0].refs)
    else:
        state.refs = dict(params)
    flow = cls._flowc_new(state)
    current._set(
        flow_name=spec.flow,
        run_id=spec.run_id,
        step_name=spec.step,
        task_id=task_id(spec.step, task_key(spec.index_path, spec.iteration)),
        retry_count=spec.attempt,
        index_path=spec.index_path,
        iteration=spec.iteration,
        is_running_flow=True,
        origin_run_id=run_record.get("origin_run_id"),
        parameter_names=tuple(run_record.get("parameters", {})),
        **_identity(run_record),
    )
    _set_project(cls)
    from runtime_shim.events import trigger_from_environment

    current._set(trigger=trigger_from_environment())
    if "parallel" in decos and resolved.frames:
        from runtime_shim.parallel import control_metadata, gang_fields

        current._set(**gang_fields(resolved.frames, spec.index_path, spec.step))
        meta.update(control_metadata(resolved.frames))

    cards.start(func, flow, ds, meta["task"], spec.attempt, meta["started"], run_record)

    args: tuple[Any, ...] = ()
    if resolved.is_join:
        views = []
        for parent in resolved.parents:
            view_state = TaskState(
                step=parent.step,
                refs=dict(parent.refs),
                load=ds.load_value,
                frames=parent.frames,
            )
            views.append(cls._flowc_new(view_state))
        args = (Inputs(views),)
    retries: int = decos["retry"]["times"] if "retry" in decos else 0
    hooks = TaskHooks(cls, func, spec.step, spec.attempt, retries)
    status = call_step(
        func,
        flow,
        args,
        decos,
        spec.attempt,
        hooks,
        lambda: hooks.task_pre_step(flow, spec.run_id, current.task_id or "", meta["parents"]),
        _describe,
        meta,
    )
    record = _transition_record(flow, spec, func, status)
    artifacts = _persist(flow, state, ds)
    cards.finish(flow, artifacts, ds, meta["task"], spec.attempt)
    meta["status"] = status
    hooks.task_finished(flow, True)
    return artifacts, record


def _identity(run_record: dict[str, Any]) -> dict[str, Any]:
    """``current``'s user, namespace and tags (the run's user tags) for this task."""
    import tempfile

    from runtime_shim.project import username

    user = username()
    return {
        "username": user,
        "namespace": f"user:{user}" if user else None,
        "tags": {str(tag) for tag in run_record.get("tags") or ()},
        "tempdir": tempfile.gettempdir(),
    }


def _set_project(cls: type[Any]) -> None:
    """``current.project_name`` from ``@project``, whose name may come from a config (so
    only once the run's configs are active); callable parameter defaults read it too."""
    from runtime_shim.current import current
    from runtime_shim.decorators import flow_decorators
    from runtime_shim.project import project_info

    project = project_info(cls.__name__, flow_decorators(cls).get("project"))
    if project is not None:
        current._update_env(project.current_fields())


def _transition_record(flow: Any, spec: TaskSpec, func: Any, status: str) -> dict[str, Any]:
    from runtime_shim.exceptions import MetaflowException

    state = flow._flowc
    record: dict[str, Any] = {
        "attempt": spec.attempt,
        "status": status,
        "frames": [list(f) for f in state.frames],
        "finished": time.time(),
    }
    transition = state.transition
    if transition is None:
        is_end = spec.step == "end" or getattr(func, "_flowc_step_flags", {}).get("end")
        if status == "ok" and not is_end:
            raise MetaflowException(
                f"Step *{spec.step}* did not call self.next(). Every step but 'end' must "
                "end with a call to self.next()."
            )
        return record
    record["next"] = transition.targets
    if transition.foreach is not None:
        record["foreach_var"] = transition.foreach
        record["foreach_count"] = transition.num_splits
    if transition.switch_target is not None:
        record["switch_target"] = transition.switch_target
    return record


def _persist(flow: Any, state: Any, ds: FlowDatastore) -> dict[str, ArtifactRef]:
    refs: dict[str, ArtifactRef] = dict(state.refs)
    for name, value in vars(flow).items():
        if name == "_flowc" or name.startswith("__"):
            continue
        if callable(value) and hasattr(value, "__self__"):
            continue
        refs[name] = ds.save_value(value)
    return refs
