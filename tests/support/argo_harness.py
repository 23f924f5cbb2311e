"""Execute an emitted Argo Workflow's semantics on this machine.

Argo cannot run here (no Kubernetes), so this harness plays the controller for the
subset of Argo that flowc emits, and is strict wherever the real controller would fail:

* ``dag`` templates: ``depends`` (task results ``.Succeeded/.Failed/.Skipped/.Omitted/
  .Errored/.Daemoned``, bare names, ``&& || !`` and parentheses), ``when`` (substituted,
  then evaluated as govaluate with bare words as strings), ``withSequence`` (count or
  start/end) and ``withParam`` (a JSON list) with ``{{item}}``, nested and recursive
  templates, DAG outputs from ``valueFrom.parameter`` or ``valueFrom.expression``;
  fail-fast: after a failure no new task starts.
* ``container`` templates run ``command + args`` as a local process (``python`` replaced by
  this interpreter), with Kubernetes' ``$(VAR)`` expansion in args and env, ``envFrom``
  secrets from a given mapping, output parameters read from the files the container
  wrote (each ``valueFrom.path`` is mapped to a per-task temporary file),
  ``retryStrategy`` (``limit``; ``{{retries}}`` is the attempt number) and
  ``activeDeadlineSeconds`` (a process timeout).
* ``resource`` templates that create a JobSet: its pods run as local processes, all at
  once, with the environment the JobSet controller would give them
  (tests/support/argo_jobset.py); no Kubernetes or JobSet controller is involved.
* Substitution of ``{{...}}`` tags as Argo does it: globals (``workflow.name``,
  ``workflow.uid``, ``workflow.namespace``, ``workflow.parameters.X``) first, then the
  template's inputs and locals in a second pass that rescans what the first inserted;
  ``workflow.status`` in the ``spec.onExit`` handler, which runs after the entrypoint
  whatever its outcome (its failure fails a workflow that had succeeded);
  ``{{=expr}}`` tags are evaluated. An unresolved tag in a container is an error, a
  reference to an undeclared input is an error, and anything the harness does not model
  (``steps`` templates, ``templateRef``, scripts) raises :class:`HarnessError`.

Fan-outs run their children one at a time unless ``pods`` is above one: then up to
``pods`` children of a fan-out run at once, as the controller starts them all (bounded
by ``parallelism``); after a failure no new child starts and the running ones finish.
The harness records nodes, not the controller's ``status.nodes`` map: that is built
from a run's records by tests/support/argo_nodes.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import yaml

from tests.support.argo_expr import ExprError, evaluate, evaluate_when
from tests.support.argo_jobset import check_resource, run_jobset
from tests.support.argo_templating import (
    ERRORED,
    FAILED,
    OMITTED,
    SKIPPED,
    SUCCEEDED,
    HarnessError,
    k8s_expand,
    nest,
    parse_depends,
    substitute,
    walk,
)

MAX_DEPTH = 150  # Argo's controller limit on template recursion (since 3.5)


@dataclass
class NodeRecord:
    """One executed (or skipped/omitted) node, for assertions."""

    path: str
    template: str
    phase: str
    args: list[str] = field(default_factory=list)
    attempts: int = 0
    outputs: dict[str, str] = field(default_factory=dict)
    stderr: str = ""
    #: The arguments the task passed to its template (its input parameters).
    inputs: dict[str, str] = field(default_factory=dict)


@dataclass
class RunResult:
    phase: str
    name: str
    nodes: list[NodeRecord]
    message: str = ""

    def containers(self) -> list[NodeRecord]:
        return [n for n in self.nodes if n.args]


def _ancestors(tasks: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    """Every task each task depends on, directly or not. Each ``depends`` is parsed once
    and each task's set built from its parents' (walking back from every task of a
    1,000-step chain was quadratic in parses)."""
    direct: dict[str, set[str]] = {}
    for name, task in tasks.items():
        depends = task.get("depends")
        refs = parse_depends(depends, {})[1] if depends else set()
        direct[name] = {ref for ref in refs if ref in tasks}
    found: dict[str, set[str]] = {}
    for name in tasks:
        todo = [name]
        while todo:
            here = todo[-1]
            if here in found:
                todo.pop()
                continue
            waiting = [ref for ref in direct[here] if ref not in found and ref not in todo]
            if waiting:
                todo.extend(waiting)
                continue
            todo.pop()
            seen = set(direct[here])
            for ref in direct[here]:
                seen |= found.get(ref, set())
            found[here] = seen
    return found


@dataclass
class Harness:
    """Run one manifest. ``cwd`` is the pod's working directory (where the flow file is);
    ``replace_args`` maps exact argument strings (e.g. a datastore root) to local ones."""

    manifest: dict[str, Any]
    cwd: str
    workflow_name: str = "wf-test"
    uid: str = "00000000-1111-2222-3333-444444444444"
    replace_args: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    timeout: float = 120.0
    #: How many children of one fan-out run at once (1: one after another, in order).
    pods: int = 1
    nodes: list[NodeRecord] = field(default_factory=list)
    #: Every resource manifest created, as the controller received it (tags filled in).
    created: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_yaml(cls, text: str, **kwargs: Any) -> Harness:
        # The first document is the workflow; a CronWorkflow or Sensor may follow it.
        return cls(next(yaml.safe_load_all(text)), **kwargs)

    # -- workflow level --------------------------------------------------------------
    def spec(self) -> dict[str, Any]:
        kind = self.manifest.get("kind")
        if kind == "CronWorkflow":
            spec: dict[str, Any] = self.manifest["spec"]["workflowSpec"]
        elif kind in ("Workflow", "WorkflowTemplate"):
            spec = self.manifest["spec"]
        else:
            raise HarnessError(f"unsupported kind {kind!r}")
        return spec

    def _add(self, record: NodeRecord) -> NodeRecord:
        """Record a node; the index by path keeps wide fan-outs linear."""
        with self._lock:
            self.nodes.append(record)
            self._paths[record.path] = record
        return record

    def submit(self, parameters: dict[str, str] | None = None) -> RunResult:
        """``argo submit`` with ``-p name=value`` overrides; runs to completion."""
        self._lock = threading.Lock()
        self._paths: dict[str, NodeRecord] = {n.path: n for n in self.nodes}
        spec = self.spec()
        declared = {p["name"]: p for p in spec.get("arguments", {}).get("parameters", [])}
        given = dict(parameters or {})
        unknown = set(given) - set(declared)
        if unknown:
            raise HarnessError(f"unknown workflow parameters {sorted(unknown)}")
        self.globals = {
            "workflow.name": self.workflow_name,
            "workflow.uid": self.uid,
            "workflow.namespace": self.manifest["metadata"].get("namespace") or "default",
        }
        for name, param in declared.items():
            value = given.get(name, param.get("value"))
            if value is None:
                raise HarnessError(f"spec.arguments.{name}.value is required")
            self.globals[f"workflow.parameters.{name}"] = str(value)
        # Argo substitutes globals into the whole spec, parameter values included.
        for key in list(self.globals):
            if key.startswith("workflow.parameters."):
                self.globals[key] = substitute(self.globals[key], self.globals, strict=False)
        self.templates = {t["name"]: t for t in spec["templates"]}
        entry = spec["entrypoint"]
        phase, _, message = self._run_template(entry, {}, self.workflow_name, 0)
        if "onExit" in spec:
            phase, message = self._run_exit_handler(spec["onExit"], phase, message)
        return RunResult(phase, self.workflow_name, self.nodes, message)

    def _run_exit_handler(self, name: str, phase: str, message: str) -> tuple[str, str]:
        """``spec.onExit``: runs whatever the outcome, with ``{{workflow.status}}`` (only
        there) set to the workflow's phase; a failing handler fails a workflow that had
        succeeded, as Argo's controller does."""
        self.globals["workflow.status"] = phase
        try:
            exit_phase, _, exit_message = self._run_template(
                name, {}, f"{self.workflow_name}.onExit", 0
            )
        finally:
            del self.globals["workflow.status"]
        if exit_phase in (FAILED, ERRORED) and phase == SUCCEEDED:
            return FAILED, exit_message or "onExit handler failed"
        return phase, message

    # -- templates -----------------------------------------------------------------
    def _template(self, name: str) -> dict[str, Any]:
        if name not in self.templates:
            raise HarnessError(f"template {name!r} not found")
        return self.templates[name]

    def _inputs(self, template: dict[str, Any], args: dict[str, str]) -> dict[str, str]:
        declared = template.get("inputs", {}).get("parameters", [])
        names = {p["name"] for p in declared}
        extra = set(args) - names
        if extra:
            raise HarnessError(
                f"template {template['name']!r} got undeclared arguments {sorted(extra)}"
            )
        scope = {}
        for p in declared:
            value = args.get(p["name"], p.get("value", p.get("default")))
            if value is None:
                raise HarnessError(
                    f"inputs.parameters.{p['name']} was not supplied to "
                    f"template {template['name']!r}"
                )
            scope[f"inputs.parameters.{p['name']}"] = value
        return scope

    def _render(
        self, template: dict[str, Any], inputs: dict[str, str], strict: bool
    ) -> dict[str, Any]:
        """Argo's two passes: globals, then globals+inputs (rescanning the first pass)."""
        body = {k: v for k, v in template.items() if k != "inputs"}
        first = walk(body, lambda s: substitute(s, self.globals, strict=False))
        scope = {**self.globals, **inputs}
        rendered: dict[str, Any] = walk(first, lambda s: substitute(s, scope, strict=strict))
        return rendered

    def _run_template(
        self, name: str, args: dict[str, str], path: str, depth: int
    ) -> tuple[str, dict[str, str], str]:
        if depth > MAX_DEPTH:
            raise HarnessError(f"template nesting deeper than {MAX_DEPTH} at {path}")
        template = self._template(name)
        inputs = self._inputs(template, args)
        if "dag" in template:
            return self._run_dag(template, inputs, path, depth)
        if "container" in template:
            return self._run_container(template, inputs, path)
        if "resource" in template:
            return self._run_resource(template, inputs, path)
        raise HarnessError(
            f"template {name!r}: only dag, container and JobSet resource templates are modelled"
        )

    # -- DAG -----------------------------------------------------------------------
    def _run_dag(
        self, template: dict[str, Any], inputs: dict[str, str], path: str, depth: int
    ) -> tuple[str, dict[str, str], str]:
        # tasks.* and item are resolved per task later: lenient here.
        dag = self._render(template, inputs, strict=False)["dag"]
        tasks = {t["name"]: t for t in dag["tasks"]}
        if len(tasks) != len(dag["tasks"]):
            raise HarnessError(f"duplicate task names in {template['name']!r}")
        status: dict[str, str] = {}
        outputs: dict[str, dict[str, str]] = {}
        ancestors = _ancestors(tasks)
        failed_message = ""
        pending = list(tasks)
        while pending:
            progressed = False
            for task_name in list(pending):
                task = tasks[task_name]
                if "dependencies" in task:
                    raise HarnessError("'dependencies' is not modelled; flowc emits 'depends'")
                depends = task.get("depends")
                if depends:
                    _, refs = parse_depends(depends, status)
                    missing = refs - set(tasks)
                    if missing:
                        raise HarnessError(
                            f"task {task_name!r} depends on unknown tasks {sorted(missing)}"
                        )
                    if any(r not in status for r in refs):
                        continue
                    satisfied, _ = parse_depends(depends, status)
                else:
                    satisfied = True
                pending.remove(task_name)
                progressed = True
                node_path = f"{path}.{task_name}"
                if failed_message:  # fail fast: nothing new starts after a failure
                    status[task_name] = OMITTED
                    continue
                if not satisfied:
                    status[task_name] = OMITTED
                    self._add(NodeRecord(node_path, task["template"], OMITTED))
                    continue
                phase, outs, message = self._run_task(
                    task, status, outputs, inputs, node_path, depth, ancestors[task_name]
                )
                status[task_name] = phase
                outputs[task_name] = outs
                if phase in (FAILED, ERRORED):
                    failed_message = message or f"{node_path} {phase.lower()}"
            if not progressed:
                raise HarnessError(
                    f"DAG {template['name']!r} is stuck (cycle?) at {sorted(pending)}"
                )
        phase = FAILED if failed_message else SUCCEEDED
        outs = {} if failed_message else self._dag_outputs(template, inputs, status, outputs)
        return phase, outs, failed_message

    def _task_scope(
        self,
        status: dict[str, str],
        outputs: dict[str, dict[str, str]],
        inputs: dict[str, str],
        visible: set[str] | None = None,
    ) -> dict[str, str]:
        """What a task may reference: globals, the DAG's inputs and, as Argo's validation
        allows, only the tasks it (transitively) depends on (``visible``)."""
        scope = {**self.globals, **inputs}
        for task, phase in status.items():
            if visible is not None and task not in visible:
                continue
            scope[f"tasks.{task}.status"] = phase
            for key, value in outputs.get(task, {}).items():
                scope[f"tasks.{task}.outputs.parameters.{key}"] = value
        return scope

    def _run_task(
        self,
        task: dict[str, Any],
        status: dict[str, str],
        outputs: dict[str, dict[str, str]],
        inputs: dict[str, str],
        path: str,
        depth: int,
        ancestors: set[str],
    ) -> tuple[str, dict[str, str], str]:
        scope = self._task_scope(status, outputs, inputs, ancestors)
        items: list[str] | None = None
        if "withSequence" in task:
            seq = walk(task["withSequence"], lambda s: substitute(s, scope, strict=True))
            if "count" in seq:
                start, count = int(seq.get("start", 0)), int(str(seq["count"]))
                items = [str(start + i) for i in range(count)]
            else:
                items = [str(i) for i in range(int(seq["start"]), int(seq["end"]) + 1)]
        elif "withParam" in task:
            raw = substitute(task["withParam"], scope, strict=True)
            values = json.loads(raw)
            if not isinstance(values, list):
                raise HarnessError(f"withParam of {path} is not a JSON list: {raw!r}")
            items = [v if isinstance(v, str) else json.dumps(v) for v in values]
        elif "withItems" in task:
            items = [v if isinstance(v, str) else json.dumps(v) for v in task["withItems"]]
        if items is None:
            return self._run_one(task, scope, path, depth)
        if not items:
            self._add(NodeRecord(path, task["template"], SKIPPED))
            return SKIPPED, {}, ""
        if self.pods > 1:
            return self._fan_out(task, scope, path, depth, items)
        for i, item in enumerate(items):
            phase, _, message = self._run_one(
                task, {**scope, "item": item}, f"{path}({i}:{item})", depth
            )
            if phase in (FAILED, ERRORED):
                return phase, {}, message
        return SUCCEEDED, {}, ""

    def _fan_out(
        self, task: dict[str, Any], scope: dict[str, str], path: str, depth: int, items: list[str]
    ) -> tuple[str, dict[str, str], str]:
        """Up to ``pods`` children at once; after a failure nothing new starts and the
        first failure (in item order) is the group's."""
        failures: dict[int, tuple[str, str]] = {}
        running: dict[Future[tuple[str, dict[str, str], str]], int] = {}
        todo = iter(enumerate(items))
        with ThreadPoolExecutor(self.pods) as pool:
            while True:
                while not failures and len(running) < self.pods:
                    nxt = next(todo, None)
                    if nxt is None:
                        break
                    i, item = nxt
                    child = f"{path}({i}:{item})"
                    future = pool.submit(self._run_one, task, {**scope, "item": item}, child, depth)
                    running[future] = i
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    i = running.pop(future)
                    phase, _, message = future.result()
                    if phase in (FAILED, ERRORED):
                        failures[i] = (phase, message)
        if failures:
            phase, message = failures[min(failures)]
            return phase, {}, message
        return SUCCEEDED, {}, ""

    def _run_one(
        self, task: dict[str, Any], scope: dict[str, str], path: str, depth: int
    ) -> tuple[str, dict[str, str], str]:
        when = task.get("when")
        if when is not None:
            text = substitute(when, scope, strict=True)
            try:
                run = evaluate_when(text)
            except ExprError as exc:
                raise HarnessError(f"invalid 'when' {text!r} at {path}: {exc}") from exc
            if not run:
                self._add(NodeRecord(path, task["template"], SKIPPED))
                return SKIPPED, {}, ""
        if "templateRef" in task or "inline" in task:
            raise HarnessError("templateRef/inline tasks are not modelled")
        params = task.get("arguments", {}).get("parameters", [])
        args = {p["name"]: substitute(str(p.get("value", "")), scope, strict=True) for p in params}
        phase, outs, message = self._run_template(task["template"], args, path, depth + 1)
        record = self._paths.get(path)
        if record is None:
            self._add(NodeRecord(path, task["template"], phase, outputs=outs, inputs=args))
        else:
            record.inputs = args
        return phase, outs, message

    def _dag_outputs(
        self,
        template: dict[str, Any],
        inputs: dict[str, str],
        status: dict[str, str],
        outputs: dict[str, dict[str, str]],
    ) -> dict[str, str]:
        scope = self._task_scope(status, outputs, inputs)
        result = {}
        for p in template.get("outputs", {}).get("parameters", []):
            source = p.get("valueFrom", {})
            if "expression" in source:
                try:
                    value = evaluate(source["expression"], nest(scope))
                except ExprError as exc:
                    raise HarnessError(
                        f"output {p['name']!r} of {template['name']!r}: {exc}"
                    ) from exc
                if value is None:
                    raise HarnessError(f"output {p['name']!r} of {template['name']!r} is nil")
                result[p["name"]] = str(value)
            elif "parameter" in source:
                result[p["name"]] = substitute(source["parameter"], scope, strict=True)
            else:
                raise HarnessError(
                    f"DAG output {p['name']!r} needs valueFrom.parameter or expression"
                )
        return result

    # -- resources (JobSets) ---------------------------------------------------------
    def _run_resource(
        self, template: dict[str, Any], inputs: dict[str, str], path: str
    ) -> tuple[str, dict[str, str], str]:
        if "retryStrategy" in template or "outputs" in template:
            raise HarnessError("retries and outputs of resource templates are not modelled")
        resource = self._render(template, inputs, strict=True)["resource"]
        manifest = yaml.safe_load(resource["manifest"])
        check_resource(resource, manifest)
        self.created.append(manifest)
        record = NodeRecord(path, template["name"], FAILED, attempts=1)
        self._add(record)

        def run_pod(
            pod_path: str, container: dict[str, Any], pod: dict[str, Any], _: dict[str, str]
        ) -> tuple[str, str]:
            pod_record = NodeRecord(pod_path, template["name"], FAILED, attempts=1)
            self._add(pod_record)
            as_template = {"container": container}
            if "activeDeadlineSeconds" in pod:
                as_template["activeDeadlineSeconds"] = pod["activeDeadlineSeconds"]
            phase, _outs, message = self._exec(as_template, pod_record)
            pod_record.phase = phase
            return phase, message

        phase, message = run_jobset(manifest, path, run_pod)
        record.phase = phase
        return phase, {}, message

    # -- containers ----------------------------------------------------------------
    def _run_container(
        self, template: dict[str, Any], inputs: dict[str, str], path: str
    ) -> tuple[str, dict[str, str], str]:
        retry = template.get("retryStrategy")
        limit = int(str(retry.get("limit", 0))) if retry else 0
        record = NodeRecord(path, template["name"], FAILED)
        self._add(record)
        message = ""
        for attempt in range(limit + 1):
            local = dict(inputs)
            if retry is not None:
                local["retries"] = str(attempt)
            rendered = self._render(template, local, strict=True)
            record.attempts = attempt + 1
            phase, outs, message = self._exec(rendered, record)
            if phase == SUCCEEDED:
                record.phase, record.outputs = SUCCEEDED, outs
                return SUCCEEDED, outs, ""
        record.phase = FAILED
        return FAILED, {}, message

    def _exec(
        self, template: dict[str, Any], record: NodeRecord
    ) -> tuple[str, dict[str, str], str]:
        container = template["container"]
        env: dict[str, str] = {}
        for source in container.get("envFrom", []):
            ref = source.get("secretRef") or source.get("configMapRef") or {}
            if ref.get("name") not in self.secrets:
                raise HarnessError(f"secret {ref.get('name')!r} does not exist")
            env.update(self.secrets[ref["name"]])
        for var in container.get("env", []):
            if "valueFrom" in var:
                raise HarnessError("env valueFrom is not modelled")
            env[var["name"]] = k8s_expand(var.get("value", ""), env)
        with tempfile.TemporaryDirectory(prefix="argo-pod-") as tmp:
            out_paths = {}
            for i, p in enumerate(template.get("outputs", {}).get("parameters", [])):
                out_paths[p["valueFrom"]["path"]] = (p["name"], os.path.join(tmp, f"out{i}"))
            argv = [
                k8s_expand(a, env) for a in container.get("command", []) + container.get("args", [])
            ]
            argv = [self.replace_args.get(a, a) for a in argv]
            argv = [out_paths[a][1] if a in out_paths else a for a in argv]
            if argv and argv[0] == "python":
                argv[0] = sys.executable
            record.args = argv
            deadline = template.get("activeDeadlineSeconds")
            timeout = float(deadline) if deadline is not None else self.timeout
            proc_env = {**os.environ, **self.extra_env, **env}
            try:
                proc = subprocess.run(
                    argv,
                    cwd=self.cwd,
                    env=proc_env,
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                return FAILED, {}, f"{record.path}: activeDeadlineSeconds exceeded"
            record.stderr = proc.stderr
            if proc.returncode != 0:
                return FAILED, {}, f"{record.path}: exit code {proc.returncode}"
            outs = {}
            for name, local_path in out_paths.values():
                try:
                    with open(local_path, encoding="utf-8") as handle:
                        outs[name] = handle.read().strip()
                except FileNotFoundError:
                    return ERRORED, {}, f"{record.path}: output parameter {name!r} not written"
            return SUCCEEDED, outs, ""
