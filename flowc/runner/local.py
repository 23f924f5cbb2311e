"""``flowc run --local``: execute a flow's IR on this machine.

Every task is the literal shim command (``python -m runtime_shim step ...``) in a
subprocess, exactly as the backends run it, so a local run exercises the same code path
as production. A pool of worker threads (``max_workers``) starts the subprocesses; the
main thread owns all scheduling state. Retries follow the IR's ``@retry`` (plus the
fallback attempts ``@catch`` grants), ``@timeout`` gets a hard kill a little after the
shim's own alarm, and resumed runs clone committed tasks of the origin run by reference.
"""

from __future__ import annotations

import json
import os
import queue
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from backends.base import exit_hook_command, exit_hooks, step_command
from flowc.ir import FlowIR
from flowc.runner.forkserver import ForkServer
from flowc.runner.plan import Plan, TaskId
from runtime_shim.catalogue import timeout_seconds
from runtime_shim.catch_decorator import NUM_FALLBACK_RETRIES
from runtime_shim.command import LITERAL, launcher, render
from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.layout import FlowDatastore
from runtime_shim.project import project_environment

TIMEOUT_GRACE_SECONDS = 5.0


def new_run_id() -> str:
    """Sortable and unique: UTC time to the millisecond plus a random suffix."""
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now))
    return f"{stamp}{int(now * 1000) % 1000:03d}-{random.getrandbits(24):06x}"


def default_executor() -> str:
    """ "fork" (a pre-loaded fork server, Linux) or "subprocess" (one interpreter per task);
    ``FLOWC_EXECUTOR`` overrides. Both run the same shim code path."""
    chosen = os.environ.get("FLOWC_EXECUTOR")
    if chosen in ("fork", "subprocess"):
        return chosen
    return "fork" if sys.platform == "linux" else "subprocess"


def default_datastore() -> str:
    return os.environ.get("FLOWC_DATASTORE") or os.path.join(os.getcwd(), ".flowc")


@dataclass
class RunOptions:
    flow_file: str
    datastore: str
    params: dict[str, Any] = field(default_factory=dict)
    max_workers: int = 0
    run_id: str | None = None
    origin_run_id: str | None = None
    clone_steps: set[str] = field(default_factory=set)
    python: str = sys.executable
    env: dict[str, str] = field(default_factory=dict)
    executor: str = field(default_factory=lambda: default_executor())
    cwd: str | None = None  # working directory of the tasks (default: this process's)
    tags: list[str] = field(default_factory=list)  # user tags of the run (run --tag)
    branch: str | None = None  # --branch: @project's branch
    production: bool = False  # --production: @project's production branch
    # Steps with a @pypi environment: step -> the environment's interpreter. They run as
    # their own processes (never forked from the shared server) with FLOWC_SHIM_PATH set.
    step_python: dict[str, str] = field(default_factory=dict)
    shim_path: str | None = None  # flowc.runner.envs.shim_site, for those steps

    def workers(self) -> int:
        return self.max_workers if self.max_workers > 0 else max(4, (os.cpu_count() or 2) * 2)


@dataclass
class TaskOutcome:
    task: TaskId
    attempt: int
    ok: bool
    seconds: float
    output: str = ""
    cloned: bool = False


@dataclass
class RunResult:
    run_id: str
    ok: bool
    tasks_done: int
    failed: list[TaskOutcome]
    seconds: float


class Reporter:
    """Progress callbacks; the default does nothing (see flowc.runner.progress)."""

    def started(self, run_id: str, ir: FlowIR) -> None: ...
    def task_started(self, task: TaskId, attempt: int) -> None: ...
    def task_finished(self, outcome: TaskOutcome, will_retry: bool) -> None: ...
    def finished(self, result: RunResult) -> None: ...


class LocalRunner:
    def __init__(self, ir: FlowIR, options: RunOptions, reporter: Reporter | None = None):
        self.ir = ir
        self.options = options
        self.reporter = reporter or Reporter()
        self.ds = FlowDatastore(open_object_store(options.datastore), ir.name)
        self.plan = Plan(ir)
        self.run_id = options.run_id or new_run_id()
        self._done: queue.Queue[tuple[TaskId, int, int, float, str]] = queue.Queue()
        self._tmp = tempfile.mkdtemp(prefix="flowc-run-")
        self._server: ForkServer | None = None

    # -- public ----------------------------------------------------------------------
    def run(self) -> RunResult:
        try:
            return self._run()
        except KeyboardInterrupt:
            self.ds.write_run_status(
                self.run_id, {"status": "failed", "interrupted": True, "finished": time.time()}
            )
            raise
        finally:
            if self._server is not None:
                self._server.close()
                self._server = None
            shutil.rmtree(self._tmp, ignore_errors=True)

    def _run(self) -> RunResult:
        began = time.time()
        self.reporter.started(self.run_id, self.ir)
        _write_card_graph(self.ds, self.run_id, self.ir)
        if self.options.origin_run_id:
            self._prepare_resume()
        else:
            # The start task completes the record (parameters, system tags).
            record = {"run_id": self.run_id, "created": began, "tags": self.options.tags}
            self.ds.write_run(self.run_id, record, if_absent=True)
        # FIFO of (task, attempt): tasks start in the order they became ready, so a wide
        # foreach runs in index order and retries go to the back of the line.
        pending: deque[tuple[TaskId, int]] = deque([(self.plan.first(), 0)])
        running = 0
        done = 0
        failed: list[TaskOutcome] = []
        end_committed = False
        while pending or running:
            while pending and not failed and running < self.options.workers():
                task, attempt = pending.popleft()
                if attempt == 0 and self._try_clone(task):
                    done += 1
                    pending.extend((t, 0) for t in self._after_commit(task))
                    continue
                self._launch(task, attempt)
                running += 1
            if not running:
                break
            task, attempt, code, seconds, output = self._done.get()
            running -= 1
            ok = code == 0 and self.ds.is_committed(self.run_id, task.step, task.key)
            outcome = TaskOutcome(task, attempt, ok, seconds, output)
            if ok:
                done += 1
                self.reporter.task_finished(outcome, False)
                if task.step == self.ir.end:
                    end_committed = True
                pending.extend((t, 0) for t in self._after_commit(task))
                continue
            retry = self._may_retry(task, attempt) and not failed
            self.reporter.task_finished(outcome, retry)
            if retry:
                pending.append((task, attempt + 1))
            else:
                failed.append(outcome)
        result = RunResult(
            self.run_id, end_committed and not failed, done, failed, time.time() - began
        )
        self.ds.write_run_status(
            self.run_id,
            {
                "status": "succeeded" if result.ok else "failed",
                "finished": time.time(),
                "failed": [str(f.task) for f in failed],
                "tasks": done,
            },
        )
        self._run_exit_hooks(result.ok)
        self.reporter.finished(result)
        return result

    def _run_exit_hooks(self, ok: bool) -> None:
        """The flow's ``@exit_hook`` functions for this run, by the shim's hook command
        (what every target runs); their output goes to this process's stdout and stderr,
        and, as in Metaflow, a failing hook never changes the run's outcome."""
        success, error = exit_hooks(self.ir)
        if not (success if ok else error):
            return
        command = exit_hook_command(
            self.ir,
            python=self.options.python,
            flow_file=self.options.flow_file,
            datastore=self.options.datastore,
            run_id=self.run_id,
            status="succeeded" if ok else "failed",
        )
        env = dict(self._task_env)
        sys.stdout.flush()
        subprocess.run(command, env=env, cwd=self.options.cwd, check=False)

    # -- internals -------------------------------------------------------------------
    @cached_property
    def _task_env(self) -> dict[str, str]:
        """The environment of every task of the run (built once: it copies ours)."""
        return task_environment(
            {
                **self.options.env,
                **project_environment(self.options.branch, self.options.production),
            }
        )

    def _after_commit(self, task: TaskId) -> list[TaskId]:
        record = self.ds.committed(self.run_id, task.step, task.key) or {}
        return self.plan.committed(task, record)

    def _may_retry(self, task: TaskId, attempt: int) -> bool:
        step = self.ir.step(task.step)
        retry = step.decorator("retry")
        times: int = retry.args["times"] if retry else 0
        if step.decorator("catch"):
            times += NUM_FALLBACK_RETRIES
        # Like ``metaflow run``, a local run retries at once; minutes_between_retries is
        # for the engines (Argo backoff, Step Functions IntervalSeconds, ...).
        return attempt < times

    def _timeout(self, task: TaskId) -> float | None:
        deco = self.ir.step(task.step).decorator("timeout")
        if deco is None:
            return None
        total = timeout_seconds(deco.args)
        return total + TIMEOUT_GRACE_SECONDS if total > 0 else None

    def command(self, task: TaskId, attempt: int) -> list[str]:
        """The shim command line of one task (what every backend runs)."""
        start = task.step == self.ir.start
        command = step_command(
            self.ir,
            self.ir.step(task.step),
            flow_file=self.options.flow_file,
            datastore=self.options.datastore,
            run_id=self.run_id,
            index_path=task.index_path,
            attempt=str(attempt),
            iteration=str(task.iteration) if task.iteration else None,
            params={name: json.dumps(value) for name, value in self.options.params.items()},
            origin_run_id=(self.options.origin_run_id or None) if start else None,
        )
        python = self.options.step_python.get(task.step, self.options.python)
        return render(command, LITERAL, python=python)

    def _launch(self, task: TaskId, attempt: int) -> None:
        self.reporter.task_started(task, attempt)
        cmd = self.command(task, attempt)
        limit = self._timeout(task)
        env = dict(self._task_env)
        own_environment = task.step in self.options.step_python
        if own_environment and self.options.shim_path:
            env["FLOWC_SHIM_PATH"] = self.options.shim_path
        if self.options.executor == "fork" and not own_environment:
            self._launch_forked(task, attempt, cmd, env, limit)
            return
        thread = threading.Thread(
            target=self._execute, args=(task, attempt, cmd, env, limit), daemon=True
        )
        thread.start()

    def _launch_forked(
        self, task: TaskId, attempt: int, cmd: list[str], env: dict[str, str], limit: float | None
    ) -> None:
        if self._server is None:
            self._server = ForkServer(
                self.options.python,
                self.options.flow_file,
                self.ir.name,
                env,
                self._tmp,
                self.options.cwd,
                self._forked_done,
                datastore=self.options.datastore,
            )
        tag: dict[str, Any] = {"task": task, "attempt": attempt, "began": time.time()}
        task_id = self._server.submit(cmd[len(launcher(self.options.python)) :], tag)
        if limit is not None:
            timer = threading.Timer(limit, self._server.kill, args=(task_id,))
            timer.daemon = True
            tag["timer"] = timer
            timer.start()

    def _forked_done(self, tag: dict[str, Any], code: int, output: str) -> None:
        timer = tag.get("timer")
        if timer is not None:
            timer.cancel()
        seconds = time.time() - tag["began"]
        self._done.put((tag["task"], tag["attempt"], code, seconds, output))

    def _execute(
        self, task: TaskId, attempt: int, cmd: list[str], env: dict[str, str], limit: float | None
    ) -> None:
        began = time.time()
        with tempfile.TemporaryFile(dir=self._tmp) as out:
            try:
                code = subprocess.run(
                    cmd,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=self.options.cwd,
                    timeout=limit,
                    check=False,
                ).returncode
            except subprocess.TimeoutExpired:
                code = -9
            except OSError as exc:
                code = 127
                out.write(f"cannot start task: {exc}\n".encode())
            out.seek(0)
            output = out.read().decode("utf-8", errors="replace")
        self._done.put((task, attempt, code, time.time() - began, output))

    # -- resume ----------------------------------------------------------------------
    def _prepare_resume(self) -> None:
        origin = self.options.origin_run_id
        assert origin is not None
        record = self.ds.read_run(origin)
        if record is None:
            return  # the origin's start step never recorded the run: nothing to carry over
        fresh = dict(
            record,
            run_id=self.run_id,
            origin_run_id=origin,
            created=time.time(),
            tags=self.options.tags,
        )
        self.ds.write_run(self.run_id, fresh, if_absent=True)

    def _try_clone(self, task: TaskId) -> bool:
        origin = self.options.origin_run_id
        if not origin or task.step not in self.options.clone_steps:
            return False
        record = self.ds.committed(origin, task.step, task.key)
        if record is None:
            return False
        source = record.get("source") or self.ds.attempt_prefix(
            origin, task.step, task.key, int(record["attempt"])
        )
        clone = dict(record, source=source, cloned_from=f"{origin}/{task.step}/{task.key}")
        self.ds.commit(self.run_id, task.step, task.key, clone)
        self.reporter.task_finished(
            TaskOutcome(task, int(record["attempt"]), True, 0.0, cloned=True), False
        )
        return True


def task_environment(extra: dict[str, str]) -> dict[str, str]:
    """The environment of a task process.

    With PYTHONDONTWRITEBYTECODE set, every task would recompile every module it imports
    (tens of milliseconds per task); bytecode then goes to a cache directory outside the
    source tree instead (PYTHONPYCACHEPREFIX), which keeps the tree as clean as the flag
    intended.
    """
    env = dict(os.environ, FLOWC_TASK_ECHO="0", **extra)
    if env.get("PYTHONDONTWRITEBYTECODE") and not env.get("PYTHONPYCACHEPREFIX"):
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        env.pop("PYTHONDONTWRITEBYTECODE")
        env["PYTHONPYCACHEPREFIX"] = os.path.join(cache, "flowc", "pycache")
    return env


def _write_card_graph(ds: FlowDatastore, run_id: str, ir: FlowIR) -> None:
    """The run's graph for the default card's DAG (runtime_shim.cards.dag): written from
    the IR here, so no task has to analyse the flow's file for it."""
    from runtime_shim.cards.dag import steps_of, write_graph
    from runtime_shim.flowgraph import FlowGraph

    write_graph(ds, run_id, steps_of(FlowGraph(ir)))


def resume_plan(ir: FlowIR, ds: FlowDatastore, origin: str, step: str | None) -> set[str]:
    """The steps whose committed tasks a resume reuses (everything not re-run)."""
    plan = Plan(ir)
    if step is None:
        step = failed_step(ir, ds, origin)
    if step not in {s.name for s in ir.steps}:
        raise LookupError(f"flow {ir.name} has no step {step!r}")
    rerun = plan.descendants(step)
    return {s.name for s in ir.steps} - rerun


def failed_step(ir: FlowIR, ds: FlowDatastore, origin: str) -> str:
    """The first step (in IR order) with a task that ran but never committed, else the
    first step with no committed task at all."""
    status = ds.read_run_status(origin) or {}
    for failed in status.get("failed", []):
        return str(failed).split("/")[0]
    steps = set(ds.list_steps(origin))
    for s in ir.steps:
        if s.name in steps and any(
            not ds.is_committed(origin, s.name, t) for t in ds.list_tasks(origin, s.name)
        ):
            return s.name
    for s in ir.steps:
        if s.name not in steps:
            return s.name
    raise LookupError(
        f"run {origin} finished successfully; name the step to resume from with --step"
    )


Callback = Callable[[TaskOutcome], None]
