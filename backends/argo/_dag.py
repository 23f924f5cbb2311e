"""DAG templates: the entry DAG, one per foreach body, one per recursive switch step.

Dependencies are always written as ``X.Succeeded``: Argo's bare ``X`` also accepts a
skipped ``X``, which would run the rest of a switch branch that was not chosen. With
``.Succeeded``, a task after a skipped or omitted one is omitted too, so only the chosen
branch runs; a merge after a switch waits on ``A.Succeeded || B.Succeeded``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backends.argo._containers import COUNT, IDX, ITERATION, SWITCH, StepNames
from backends.argo._jobset import NODES, gang_split
from backends.argo._layout import TOP, Layout
from backends.argo._model import (
    Arguments,
    DAGTask,
    DAGTemplate,
    Inputs,
    Outputs,
    Parameter,
    Sequence,
    Template,
    ValueFrom,
)
from flowc.ir import FlowIR, Step

AGAIN = "again"


@dataclass
class DagNames:
    """Template names of DAGs: the entry, each foreach body, each recursive loop, and the
    ``onExit`` handler that runs the flow's ``@exit_hook`` functions (None without one)."""

    entry: str
    bodies: dict[str, str] = field(default_factory=dict)
    loops: dict[str, str] = field(default_factory=dict)
    exit_handler: str | None = None


def _param(name: str, value: str) -> Parameter:

    return Parameter(name=name, value=value)


def _idx_value(scope: str, item: bool) -> str | None:
    """The index path handed to a task of ``scope`` (``item``: one level deeper)."""
    inherited = f"{{{{inputs.parameters.{IDX}}}}}"
    if not item:
        return None if scope == TOP else inherited
    return "{{item}}" if scope == TOP else inherited + ".{{item}}"


@dataclass
class DagBuilder:
    ir: FlowIR
    layout: Layout
    names: StepNames
    dags: DagNames

    def task_name(self, step: str) -> str:
        return self.names.templates[step]

    def _switch_output(self, step: str) -> str:
        return f"{{{{tasks.{self.task_name(step)}.outputs.parameters.{SWITCH}}}}}"

    def _depends(self, step: Step, scope: str) -> str | None:
        """Every input must have succeeded; an input that one of several alternatives
        provides (a merge after a switch, or a join's branch that ends in a switch's
        paths) needs any one of them."""
        rule = step.input_rule
        groups = [step.parents] if rule.kind == "any" else rule.inputs()
        terms: list[str] = []
        for group in groups:
            reps: list[str] = []
            for parent in group:
                task = self._parent_task(parent, scope) if parent != step.name else None
                if task is not None and task not in reps:
                    reps.append(task)
            term = " || ".join(f"{t}.Succeeded" for t in reps)
            if len(reps) > 1 and len(groups) > 1:
                term = f"({term})"
            if reps and term not in terms:
                terms.append(term)
        return " && ".join(terms) or None

    def _parent_task(self, parent: str, scope: str) -> str | None:
        rep = self.layout.representative(parent, scope)
        if rep is None:
            return None
        if rep != parent and rep in self.dags.bodies:
            return self.dags.bodies[rep]
        return self.task_name(rep)

    def _when(self, step: Step, scope: str) -> str | None:
        """Run a switch case only if it was chosen. A step a switch targets that is also
        reached another way (a case going straight to the merge) runs if it was chosen
        *or* that other parent ran."""
        chosen: list[str] = []
        reached: list[str] = []
        for parent in step.parents:
            if parent == step.name:
                continue
            p = self.ir.step(parent)
            if (
                p.switch is not None
                and step.name in p.switch.cases.values()
                and self.layout.scope_of.get(parent) == scope
            ):
                chosen.append(f"'{self._switch_output(parent)}' == '{step.name}'")
            else:
                task = self._parent_task(parent, scope)
                if task is not None:
                    reached.append(f"'{{{{tasks.{task}.status}}}}' == 'Succeeded'")
        if not chosen:
            return None
        return " || ".join(chosen + reached)

    def _step_task(self, step: Step, scope: str) -> DAGTask:

        params = []
        idx = _idx_value(scope, item=False)
        if idx is not None:
            params.append(_param(IDX, idx))
        template = self.task_name(step.name)
        split = gang_split(self.ir, step)
        if split is not None and not isinstance(split.num_parallel, int):
            nodes = f"{{{{tasks.{self.task_name(split.name)}.outputs.parameters.{COUNT}}}}}"
            params.append(_param(NODES, nodes))
        if step.recursive:
            params.append(_param(ITERATION, "0"))
            template = self.dags.loops[step.name]
        return DAGTask(
            name=self.task_name(step.name),
            template=template,
            depends=self._depends(step, scope),
            when=self._when(step, scope),
            arguments=Arguments(parameters=params) if params else None,
        )

    def _fan_task(self, split: Step, scope: str) -> DAGTask:

        count = f"{{{{tasks.{self.task_name(split.name)}.outputs.parameters.{COUNT}}}}}"
        return DAGTask(
            name=self.dags.bodies[split.name],
            template=self.dags.bodies[split.name],
            depends=f"{self.task_name(split.name)}.Succeeded",
            with_sequence=Sequence(count=count),
            arguments=Arguments(parameters=[_param(IDX, _idx_value(scope, item=True) or "")]),
        )

    def dag_template(self, scope: str) -> Template:

        tasks: list[DAGTask] = []
        for name in self.layout.members[scope]:
            step = self.ir.step(name)
            tasks.append(self._step_task(step, scope))
            if step.transition == "foreach" and name in self.dags.bodies:
                tasks.append(self._fan_task(step, scope))
        inputs = Inputs(parameters=[Parameter(name=IDX)]) if scope != TOP else None
        return Template(
            name=self.dags.entry if scope == TOP else self.dags.bodies[scope],
            inputs=inputs,
            dag=DAGTemplate(tasks=tasks),
        )

    def loop_template(self, step: Step) -> Template:
        """``step`` runs, then (if it chose itself) this template again with iteration+1.

        The loop's ``switch`` output is the final choice: the first iteration's unless it
        looped, then the nested loop's.
        """

        scope = self.layout.scope_of[step.name]
        in_foreach = scope != TOP
        task = self.task_name(step.name)
        # The recursive call's task name only has to differ from the step's task.
        again_name = AGAIN if task != AGAIN else f"{AGAIN}-call"
        passthrough = [_param(IDX, f"{{{{inputs.parameters.{IDX}}}}}")] if in_foreach else []
        run = DAGTask(
            name=task,
            template=task,
            arguments=Arguments(
                parameters=[
                    *passthrough,
                    _param(ITERATION, f"{{{{inputs.parameters.{ITERATION}}}}}"),
                ]
            ),
        )
        again = DAGTask(
            name=again_name,
            template=self.dags.loops[step.name],
            depends=f"{task}.Succeeded",
            when=f"'{self._switch_output(step.name)}' == '{step.name}'",
            arguments=Arguments(
                parameters=[
                    *passthrough,
                    _param(ITERATION, f"{{{{=asInt(inputs.parameters.{ITERATION}) + 1}}}}"),
                ]
            ),
        )
        chosen = f"tasks['{task}'].outputs.parameters['{SWITCH}']"
        final = f"tasks['{again_name}'].outputs.parameters['{SWITCH}']"
        inputs = [Parameter(name=IDX)] if in_foreach else []
        inputs.append(Parameter(name=ITERATION))
        return Template(
            name=self.dags.loops[step.name],
            inputs=Inputs(parameters=inputs),
            outputs=Outputs(
                parameters=[
                    Parameter(
                        name=SWITCH,
                        value_from=ValueFrom(
                            expression=f"{chosen} == '{step.name}' ? {final} : {chosen}"
                        ),
                    )
                ]
            ),
            dag=DAGTemplate(tasks=[run, again]),
        )
