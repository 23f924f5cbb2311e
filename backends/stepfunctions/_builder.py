"""The flow graph → ASL states.

One *scope* is a ``States`` map: the top level, one branch of a ``Parallel``, or the body
of a ``Map``. A scope is entered at one step and left at its *exit* step (the join that
closes the enclosing split; ``None`` at top level): a transition to the exit becomes
``End: true``. Inside a scope the states form a graph, so the cases of a switch simply
point at their targets and meet again at the merge step, and a recursive switch points
back at its own step.

Per step kind:
- linear/end: the Task state, then ``Next`` (or ``End``);
- static split: Task → ``Parallel`` (one branch scope per target) → the join;
- foreach: Task → ``S.count`` (``aws-sdk:s3:getObject`` of the split's commit record)
  → ``S.items`` (``States.ArrayRange`` over the count) → ``S.map`` (``Map`` whose
  ``ItemSelector`` builds each child's index path) → the join. With
  ``map_mode=distributed`` there is no ``S.items``: the Map's S3 ``ItemReader`` reads the
  positions list the split committed (``attempt-N/foreach.json``, N from the record), so
  the fan-out is not capped by ArrayRange's 1,000 items;
- switch: Task → ``S.switch`` (getObject of the commit record) → ``S.choose`` (``Choice``
  on ``switch_target``, a step name, never a user's case key);
- recursive switch: ``S.first`` sets the loop counter, ``S.again`` increments it and goes
  back to the Task; the counter is the shim's ``--iteration``.

The state data is a small record: ``run_id`` (the execution name), ``idx`` (index path),
``task`` (the datastore task key: ``_`` at top level), ``params`` (top level only),
``trigger`` (the triggering event as JSON text, in a flow with a trigger) and per-step
entries named by :func:`backends.stepfunctions._naming.data_key`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backends.stepfunctions._bindings import task_state
from backends.stepfunctions._command import (
    IDX,
    RUN_ID,
    TASK,
    ShimCommand,
    iteration_path,
    shim_command,
)
from backends.stepfunctions._decorators import StepSettings
from backends.stepfunctions._intrinsics import call, fmt
from backends.stepfunctions._naming import StateNames, data_key
from backends.stepfunctions._options import SfnOptions
from flowc.ir import FlowIR, Step
from runtime_shim.datastore.names import FOREACH_ITEMS, RECORD_SUFFIX

# Reading a commit record right after the task committed it: retried a few times so a
# transient S3 error does not fail the run.
_READ_RETRY = [
    {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2.0}
]


@dataclass
class StatesBuilder:
    ir: FlowIR
    opts: SfnOptions
    settings: dict[str, StepSettings]
    names: StateNames = field(default_factory=StateNames)
    commands: dict[str, ShimCommand] = field(default_factory=dict)
    # The variable every task gets the triggering event in (``trigger`` in the state data).
    trigger_variable: str | None = None

    def entry(self, step: str) -> str:
        """The first state of ``step`` when entered from another step."""
        if self.ir.step(step).recursive:
            return self.names.name(step, "first")
        return self.names.name(step)

    def scope(self, entry: str, exit_step: str | None) -> dict[str, Any]:
        states: dict[str, Any] = {}
        todo, seen = [entry], set()
        while todo:
            name = todo.pop(0)
            if name in seen:
                continue
            seen.add(name)
            todo.extend(self._step(self.ir.step(name), exit_step, states))
        return {"StartAt": self.entry(entry), "States": states}

    def _goto(self, target: str | None, exit_step: str | None) -> dict[str, Any]:
        if target is None or target == exit_step:
            return {"End": True}
        return {"Next": self.entry(target)}

    def _task_template(self, step: Step) -> str:
        """The task prefix's Format template; its placeholders are the run id and task."""
        return f"{self.opts.prefix}{self.ir.name}/runs/{{}}/{step.name}/{{}}"

    def _commit_key(self, step: Step, with_iteration: bool) -> str:
        template = self._task_template(step)
        args = [RUN_ID, TASK]
        if with_iteration:
            template += "{}"
            args.append(f"{iteration_path(step)}.suffix")
        return fmt(f"{template}{RECORD_SUFFIX}", *args)

    def _items_reader(self, step: Step, record: str) -> dict[str, Any]:
        """The distributed Map's ``ItemReader``: the JSON array of child positions in the
        attempt that committed the split (``record`` is the JSONPath of its record)."""
        template = f"{self._task_template(step)}/attempt-{{}}/{FOREACH_ITEMS}"
        return {
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {
                "Bucket": self.opts.bucket,
                "Key.$": fmt(template, RUN_ID, TASK, f"{record}.attempt"),
            },
        }

    def _read_record(self, step: Step, key: str, with_iteration: bool) -> dict[str, Any]:
        return {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
            "Parameters": {
                "Bucket": self.opts.bucket,
                "Key.$": self._commit_key(step, with_iteration),
            },
            "ResultSelector": {"record.$": "States.StringToJson($.Body)"},
            "ResultPath": f"$.{key}",
            "Retry": _READ_RETRY,
        }

    def _step(self, step: Step, exit_step: str | None, states: dict[str, Any]) -> list[str]:
        """Add ``step``'s states; return the steps to continue with in this scope."""
        name = self.names.name(step.name)
        cmd = shim_command(self.ir, step, self.opts)
        self.commands[step.name] = cmd
        task = task_state(
            step.name, cmd, self.settings[step.name], self.opts, self.trigger_variable
        )
        if step.recursive:
            it = iteration_path(step)
            states[self.names.name(step.name, "first")] = {
                "Type": "Pass",
                "Result": {"n": 0, "suffix": ""},
                "ResultPath": it,
                "Next": name,
            }
        states[name] = task
        if step.transition in ("linear", "end"):
            task.update(self._goto(step.next[0] if step.next else None, exit_step))
            return [n for n in step.next[:1] if n != exit_step]
        join = step.matching_join
        if step.transition == "split":
            parallel = self.names.name(step.name, "branches")
            task["Next"] = parallel
            states[parallel] = {
                "Type": "Parallel",
                "Branches": [self.scope(target, join) for target in step.next],
                "ResultPath": None,
                **self._goto(join, exit_step),
            }
            return [join] if join else []
        if step.transition == "foreach":
            return self._foreach(step, exit_step, states, task)
        return self._switch(step, exit_step, states, task)

    def _foreach(
        self, step: Step, exit_step: str | None, states: dict[str, Any], task: dict[str, Any]
    ) -> list[str]:
        count, fan = self.names.name(step.name, "count"), self.names.name(step.name, "map")
        count_key = data_key("count", step.name)
        record = f"$.{count_key}.record"
        distributed = self.opts.map_mode == "distributed"
        task["Next"] = count
        state: dict[str, Any] = {"Type": "Map"}
        if distributed:
            states[count] = {**self._read_record(step, count_key, False), "Next": fan}
            state["ItemReader"] = self._items_reader(step, record)
            processor = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
        else:
            items, items_key = self.names.name(step.name, "items"), data_key("items", step.name)
            states[count] = {**self._read_record(step, count_key, False), "Next": items}
            last = call("MathAdd", f"{record}.foreach_count", "-1")
            states[items] = {
                "Type": "Pass",
                "Parameters": {"items.$": call("ArrayRange", "0", last, "1")},
                "ResultPath": f"$.{items_key}",
                "Next": fan,
            }
            state["ItemsPath"] = f"$.{items_key}.items"
            processor = {"Mode": "INLINE"}
        child = (
            fmt("{}", "$$.Map.Item.Value")
            if step.foreach_depth == 0
            else fmt("{}.{}", IDX, "$$.Map.Item.Value")
        )
        join = step.matching_join
        body = self.scope(step.next[0], join)
        state["ItemSelector"] = {"run_id.$": RUN_ID, "idx.$": child, "task.$": child}
        if self.trigger_variable:
            state["ItemSelector"]["trigger.$"] = "$.trigger"
        state["ItemProcessor"] = {"ProcessorConfig": processor, **body}
        if self.opts.max_concurrency:
            state["MaxConcurrency"] = self.opts.max_concurrency
        state["ResultPath"] = None
        state.update(self._goto(join, exit_step))
        states[fan] = state
        return [join] if join else []

    def _switch(
        self, step: Step, exit_step: str | None, states: dict[str, Any], task: dict[str, Any]
    ) -> list[str]:
        assert step.switch is not None
        read, choose = self.names.name(step.name, "switch"), self.names.name(step.name, "choose")
        key = data_key("switch", step.name)
        recursive = step.recursive
        task["Next"] = read
        states[read] = {**self._read_record(step, key, recursive), "Next": choose}
        targets = list(dict.fromkeys(step.switch.cases.values()))
        choices = []
        for target in targets:
            if target == step.name:
                again = self.names.name(step.name, "again")
                it = iteration_path(step)
                following = call("MathAdd", f"{it}.n", "1")
                states[again] = {
                    "Type": "Pass",
                    "Parameters": {"n.$": following, "suffix.$": fmt("@{}", following)},
                    "ResultPath": it,
                    "Next": self.names.name(step.name),
                }
                nxt = again
            else:
                goto = self._goto(target, exit_step)
                if goto.get("End"):
                    nxt = self.names.name(step.name, f"to-{target}")
                    states[nxt] = {"Type": "Pass", "End": True}
                else:
                    nxt = goto["Next"]
            choices.append(
                {"Variable": f"$.{key}.record.switch_target", "StringEquals": target, "Next": nxt}
            )
        states[choose] = {"Type": "Choice", "Choices": choices}
        return [t for t in targets if t != step.name and t != exit_step]
