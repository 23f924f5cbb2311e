"""Task-graph planning: flow steps → Airflow tasks, with foreach scopes flattened.

Airflow cannot nest dynamic task mapping, so every step inside one or more foreaches
becomes a single mapped task over a flat list of index paths (its *domain*):

- a top-level step runs once (domain ``None``, index path ``""``);
- the first step of a foreach body maps over the split's child paths: the split's own
  XCom when the split runs once, or an ``index_paths`` task that flattens the child lists
  of every mapped split instance (``["0.0", "1.0", "1.1", ...]``);
- a foreach join maps over the split's domain again (the regroup), and the shim gathers
  its inputs from the datastore by index path;
- a switch that runs once feeds a branch task (``@task.branch``) that picks the case's
  task; a mapped switch feeds one ``selected_paths`` task per case, which keeps the paths
  where that case was chosen, and the case maps over them. A merge after a switch maps
  over the switch's domain with trigger rule ``none_failed_min_one_success``;
- a recursive switch (a step whose switch can choose the step itself) is one task that
  runs iterations 0, 1, ... of the step until the switch chooses another case. Each
  iteration is a separate shim task (``--iteration K``) committed on its own, so a retry
  fast-forwards through the committed iterations instead of redoing them.
"""

from __future__ import annotations

import builtins
import dataclasses
import keyword
from dataclasses import dataclass, field
from typing import Literal

from backends.airflow._settings import StepSettings, step_settings
from backends.base import exit_hooks
from backends.coverage import num_parallel_rejected
from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import FlowIR, Step

TaskKind = Literal["step", "paths", "select", "branch", "exit_hooks"]
# The task id of the flow's ``@exit_hook`` task: a dash, so no step (``[a-z0-9_]``) has it.
EXIT_HOOKS_TASK = "exit-hooks"
MERGE_TRIGGER_RULE = "none_failed_min_one_success"

# Module-level names of the generated file that a task variable must not shadow (task
# variables are module globals: a step named `dict` must not rebind the builtin).
RESERVED_NAMES = frozenset(dir(builtins)) | frozenset(
    {
        "DAG",
        "Param",
        "task",
        "dag",
        "datetime",
        "json",
        "os",
        "subprocess",
        "tempfile",
        "k8s",
        "KubernetesPodOperator",
        "CronTriggerTimetable",
        "run_step",
        "index_paths",
        "selected_paths",
        "follow_switch",
        "index_path_env",
        "jinja_verbatim",
        "STEP_COMMANDS",
        "STEP_SLOTS",
        "STEP_ENV",
        "RUN",
        "run_shim",
        "IMAGE",
        "NAMESPACE",
        "SERVICE_ACCOUNT",
        "LABELS",
        "SCRIPTS",
        "annotations",
        "pod_spec",
        "STEP_SECRETS",
        "STEP_RESOURCES",
        "paths_task",
        "selected_task",
        "branch_task",
        "step_task",
        "shim_command",
        "Asset",
        "AssetAll",
        "publish_finished_run",
        "trigger_events",
        "event_param",
    }
)


@dataclass
class PlannedTask:
    """One Airflow task of the generated DAG."""

    var: str
    task_id: str
    kind: TaskKind
    step: Step | None = None
    output: Literal["foreach", "switch"] | None = None
    over: str | None = None  # variable holding the XCom list it maps over
    trigger_rule: str | None = None
    inputs: tuple[str, ...] = ()  # variables passed to a helper task
    target: str | None = None  # the case a selected_paths task keeps
    upstream: list[str] = field(default_factory=list)
    settings: StepSettings = field(default_factory=StepSettings)


@dataclass
class Plan:
    tasks: list[PlannedTask]
    diagnostics: list[Diagnostic]


class _Planner:
    def __init__(self, ir: FlowIR, local: bool) -> None:
        self.ir = ir
        self.local = local
        self.tasks: list[PlannedTask] = []
        self.diagnostics: list[Diagnostic] = []
        self.var: dict[str, str] = {}
        self.domain: dict[str, str | None] = {}
        self.branch: dict[str, str] = {}
        self.names: set[str] = set(RESERVED_NAMES)

    def _name(self, base: str) -> str:
        usable = base.isidentifier() and not keyword.iskeyword(base)
        name = base if usable and base not in RESERVED_NAMES else f"step_{base}"
        candidate, n = name, 2
        while candidate in self.names:
            candidate, n = f"{name}_{n}", n + 1
        self.names.add(candidate)
        return candidate

    def _add(self, task: PlannedTask) -> str:
        self.tasks.append(task)
        return task.var

    def plan(self) -> Plan:
        for step in self.ir.steps:
            if step.recursive and len(_outer_parents(step)) != 1:
                self.diagnostics.append(
                    diag(
                        codes.FC301,
                        f"step {step.name!r} loops back to itself and is also a merge; "
                        "Airflow can run a self-loop only after a single parent",
                        step.location.span(),
                        "put a plain step between the merge and the loop",
                    )
                )
            if step.num_parallel is not None:
                self.diagnostics.append(
                    diag(
                        codes.FC301,
                        num_parallel_rejected(step.name, "Airflow"),
                        (step.num_parallel_location or step.location).span(),
                        "compile for Argo (a JobSet), or use a foreach over range(N) if the "
                        "tasks need not run together",
                    )
                )
        if self.diagnostics:
            # Still report every decorator the target rejects, not only the first problem.
            for step in self.ir.steps:
                self.diagnostics.extend(step_settings(step, self.local)[1])
            return Plan([], self.diagnostics)
        for step in self.ir.steps:
            self._plan_step(step)
        if any(exit_hooks(self.ir)):
            self._plan_exit_hooks()
        return Plan(self.tasks, self.diagnostics)

    def _plan_exit_hooks(self) -> None:
        """One last task, downstream of every other, that runs the ``@exit_hook``
        functions whatever the others' states (all done). It is a teardown task, which
        Airflow leaves out when it derives the DAG run's state from the leaves, so a
        failed step still fails the run and a failing hook does not fail it. It runs with
        the start step's settings (image, environment, secrets, resources), without its
        retries or timeout."""
        start = next(t for t in self.tasks if t.step is not None and t.step.name == self.ir.start)
        settings = dataclasses.replace(
            start.settings, retries=0, retry_delay_seconds=None, timeout_seconds=None
        )
        self._add(
            PlannedTask(
                var=self._name("exit_hooks"),
                task_id=EXIT_HOOKS_TASK,
                kind="exit_hooks",
                upstream=[t.var for t in self.tasks],
                settings=settings,
            )
        )

    def _plan_step(self, step: Step) -> None:
        over = self._domain_of(step)
        settings, notes = step_settings(step, self.local)
        self.diagnostics.extend(notes)
        output: Literal["foreach", "switch"] | None = None
        if step.transition == "foreach":
            output = "foreach"
        elif step.transition == "switch":
            output = "switch"
        upstream = [self.branch.get(p, self.var[p]) for p in _outer_parents(step)]
        # A merge after a switch, and a join some of whose inputs come from one of a
        # switch's paths, run although the paths not chosen were skipped.
        merge = (step.input_rule.kind == "any" and not step.recursive) or bool(
            step.input_rule.alternatives
        )
        var = self._add(
            PlannedTask(
                var=self._name(step.name),
                task_id=step.name,
                kind="step",
                step=step,
                output=output,
                over=over,
                upstream=upstream,
                settings=settings,
                trigger_rule=MERGE_TRIGGER_RULE if merge else None,
            )
        )
        self.var[step.name] = var
        self.domain[step.name] = over
        if output == "switch" and over is None and len(_cases(step)) > 1:
            self.branch[step.name] = self._add(
                PlannedTask(
                    var=self._name(f"{step.name}_branch"),
                    task_id=f"{step.name}-branch",
                    kind="branch",
                    inputs=(var,),
                )
            )

    def _domain_of(self, step: Step) -> str | None:
        rule = step.input_rule
        if step.recursive:
            # Iteration 0 follows the one outer parent; later iterations run in the same task.
            return self._domain_after(self.ir.step(_outer_parents(step)[0]), step)
        if rule.kind == "none":
            return None
        if rule.kind == "enter":
            return self._children(rule.parents[0])
        if rule.kind == "join-foreach":
            split = self.ir.split_of(step.name)
            assert split is not None, "a foreach join has a split"
            return self.domain[split.name]
        if rule.kind == "any":
            return self.domain[self._switch_of(step).name]
        return self._domain_after(self.ir.step(rule.parents[0]), step)

    def _domain_after(self, parent: Step, step: Step) -> str | None:
        """The domain of ``step`` when it follows ``parent`` in the same scope."""
        if parent.transition == "switch" and len(_cases(parent)) > 1:
            return self._selected(parent, step)
        return self.domain[parent.name]

    def _children(self, split: str) -> str:
        """The variable holding the child index paths of a foreach split."""
        if self.domain[split] is None:
            return self.var[split]
        return self._add(
            PlannedTask(
                var=self._name(f"{split}_paths"),
                task_id=f"{split}-paths",
                kind="paths",
                inputs=(self.var[split],),
            )
        )

    def _selected(self, switch: Step, case: Step) -> str | None:
        domain = self.domain[switch.name]
        if domain is None:
            return None
        return self._add(
            PlannedTask(
                var=self._name(f"{case.name}_selected"),
                task_id=f"{case.name}-selected",
                kind="select",
                inputs=(domain, self.var[switch.name]),
                target=case.name,
            )
        )

    def _switch_of(self, merge: Step) -> Step:
        """The switch whose cases meet at ``merge`` (nested switches are skipped over)."""
        for step in self.ir.steps:
            if step.transition == "switch" and self._merge_of(step) == merge.name:
                return step
        raise ValueError(f"no switch merges at {merge.name!r}")

    def _merge_of(self, switch: Step) -> str | None:
        cases = _cases(switch)
        if len(cases) < 2:
            return None
        current: Step | None = self.ir.step(cases[0])
        while current is not None:
            if current.input_rule.kind == "any" and not current.recursive:
                return current.name
            current = self._after(current)
        return None

    def _after(self, step: Step) -> Step | None:
        """The next step at the same nesting level, jumping over inner splits."""
        if step.transition == "switch":
            merge = self._merge_of(step)
            if merge is not None:
                return self._after(self.ir.step(merge))
            cases = _cases(step)
            return self.ir.step(cases[0]) if len(cases) == 1 else None
        if step.transition in ("split", "foreach") and step.matching_join:
            return self._after(self.ir.step(step.matching_join))
        if not step.next:
            return None
        return self.ir.step(step.next[0])


def _cases(switch: Step) -> list[str]:
    """The steps a switch can continue with, other than itself."""
    return [name for name in switch.next if name != switch.name]


def _outer_parents(step: Step) -> list[str]:
    return [name for name in step.parents if name != step.name]


def plan_tasks(ir: FlowIR, local: bool) -> Plan:
    return _Planner(ir, local).plan()
