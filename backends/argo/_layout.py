"""Where each step lives in the Argo manifest.

Argo fans out a *template*, not a group of tasks, so every foreach body becomes its own
DAG template, nested as deep as the foreaches are. This module computes, from the IR
alone, which DAG ("scope") each step belongs to: ``""`` for the entry DAG, or the name of
the foreach split whose body holds it. It also checks that bodies nest properly, which
every well-formed flow satisfies; anything else is reported rather than guessed at.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from flowc.ir import FlowIR, Step

TOP = ""


@dataclass
class Layout:
    """``scope_of[step]`` is the foreach split owning the step's DAG (``TOP`` for the
    entry DAG); ``members[scope]`` lists the steps placed directly in it, in IR order;
    ``parent_scope[split]`` is the scope of the split itself."""

    scope_of: dict[str, str] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    bodies: dict[str, set[str]] = field(default_factory=dict)
    problems: list[tuple[Step, str]] = field(default_factory=list)

    def depth(self, scope: str) -> int:
        d = 0
        while scope != TOP:
            d += 1
            scope = self.scope_of[scope]
        return d

    def representative(self, step: str, scope: str) -> str | None:
        """The step or foreach split that stands for ``step`` inside ``scope``.

        ``step`` itself if it lives in ``scope``; the outermost foreach split of ``scope``
        whose body contains it (its fan-out task stands for it); ``None`` if ``step`` is
        outside ``scope`` (the parent of a body's first step).
        """
        current = step
        while True:
            owner = self.scope_of.get(current)
            if owner is None:
                return None
            if owner == scope:
                return current
            if owner == TOP:
                return None
            current = owner


def is_recursive(step: Step) -> bool:
    """A switch step that can choose itself again (a loop at one index path)."""
    return step.switch is not None and step.name in step.switch.cases.values()


def _body(ir: FlowIR, split: Step) -> set[str]:
    stop = split.matching_join
    seen: set[str] = set()
    todo = list(split.next)
    while todo:
        name = todo.pop()
        if name == stop or name in seen:
            continue
        seen.add(name)
        todo.extend(ir.step(name).next)
    return seen


def build_layout(ir: FlowIR) -> Layout:
    layout = Layout()
    foreach_steps = [s for s in ir.steps if s.transition == "foreach"]
    for split in foreach_steps:
        if split.matching_join is None:
            layout.problems.append((split, "its matching join is unknown"))
            continue
        layout.bodies[split.name] = _body(ir, split)
    for step in ir.steps:
        owners = [f for f, body in layout.bodies.items() if step.name in body]
        # Bodies nest: the innermost owner is the one whose body is smallest.
        owners.sort(key=lambda f: len(layout.bodies[f]))
        for inner, outer in itertools.pairwise(owners):
            outer_body = layout.bodies[outer]
            if not layout.bodies[inner] <= outer_body or inner not in outer_body:
                layout.problems.append((step, "foreach bodies overlap without nesting"))
        layout.scope_of[step.name] = owners[0] if owners else TOP
    layout.members[TOP] = []
    for split_name in layout.bodies:
        layout.members[split_name] = []
    for step in ir.steps:
        layout.members[layout.scope_of[step.name]].append(step.name)
    return layout
