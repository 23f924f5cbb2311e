"""What runs next: the IR's transitions and input rules applied to committed tasks.

Pure bookkeeping, no I/O: the scheduler reports each committed task (with its commit
record) and gets back the tasks that became ready. A task is ``(step, index_path,
iteration)``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flowc.ir import FlowIR


@dataclass(frozen=True, order=True)
class TaskId:
    step: str
    index_path: str = ""
    iteration: int = 0

    @property
    def key(self) -> str:
        path = self.index_path or "_"
        return f"{path}@{self.iteration}" if self.iteration else path

    def __str__(self) -> str:
        return f"{self.step}/{self.key}"


def child_path(index_path: str, k: int) -> str:
    return f"{index_path}.{k}" if index_path else str(k)


def parent_path(index_path: str) -> str:
    return index_path.rpartition(".")[0]


@dataclass
class Plan:
    ir: FlowIR
    _join_arrivals: dict[tuple[str, str], set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )
    _foreach_expected: dict[tuple[str, str], int] = field(default_factory=dict)
    _foreach_done: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    def first(self) -> TaskId:
        return TaskId(self.ir.start)

    def committed(self, task: TaskId, record: dict[str, Any]) -> list[TaskId]:
        """The tasks that ``task``'s commit makes ready."""
        step = self.ir.step(task.step)
        if step.transition == "end":
            return []
        if step.transition == "foreach":
            count = int(record["foreach_count"])
            if step.matching_join:
                self._foreach_expected[(step.matching_join, task.index_path)] = count
            return [TaskId(step.next[0], child_path(task.index_path, k)) for k in range(count)]
        if step.transition == "switch":
            target = record.get("switch_target") or step.next[0]
            if target == task.step:
                return [TaskId(task.step, task.index_path, task.iteration + 1)]
            return self._arrive(target, task.index_path, task.step)
        ready: list[TaskId] = []
        targets = record.get("next") or step.next
        for name in targets:
            ready.extend(self._arrive(name, task.index_path, task.step))
        return ready

    def _arrive(self, name: str, index_path: str, source: str) -> list[TaskId]:
        rule = self.ir.step(name).input_rule
        if rule.kind == "join":
            # One input per branch; a branch ending in a switch's paths sends one of them.
            arrived = self._join_arrivals[(name, index_path)]
            arrived.add(source)
            complete = all(arrived & set(group) for group in rule.inputs())
            return [TaskId(name, index_path)] if complete else []
        if rule.kind == "join-foreach":
            outer = parent_path(index_path)
            self._foreach_done[(name, outer)] += 1
            expected = self._expected(name, outer)
            if expected is not None and self._foreach_done[(name, outer)] == expected:
                return [TaskId(name, outer)]
            return []
        return [TaskId(name, index_path)]

    def _expected(self, join: str, outer: str) -> int | None:
        return self._foreach_expected.get((join, outer))

    def descendants(self, start: str) -> set[str]:
        """``start`` and every step reachable from it."""
        seen = {start}
        stack = [start]
        while stack:
            for nxt in self.ir.step(stack.pop()).next:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen
