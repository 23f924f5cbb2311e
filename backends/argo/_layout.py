"""Where each step lives in the Argo manifest.

Argo fans out a *template*, not a group of tasks, so every foreach body becomes its own
DAG template, nested as deep as the foreaches are. This module computes, from the IR
alone, which DAG ("scope") each step belongs to: ``""`` for the entry DAG, or the name of
the innermost foreach split whose body holds it (the step's ``foreach_stack``). A
``num_parallel`` split has no body DAG: its gang is one task beside it (backends/argo/_jobset.py).
"""

from __future__ import annotations

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
    bodies: dict[str, list[str]] = field(default_factory=dict)
    problems: list[tuple[Step, str]] = field(default_factory=list)

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


def build_layout(ir: FlowIR) -> Layout:
    layout = Layout()
    for split in ir.steps:
        if split.transition != "foreach" or split.num_parallel is not None:
            # A gang is one task (a JobSet), not a fanned-out body.
            continue
        if split.matching_join is None:
            layout.problems.append((split, "its matching join is unknown"))
            continue
        layout.bodies[split.name] = ir.foreach_body(split.name)
    for step in ir.steps:
        # The innermost enclosing foreach owns the step's DAG.
        owners = [split for split in step.foreach_stack if split in layout.bodies]
        layout.scope_of[step.name] = owners[-1] if owners else TOP
    layout.members[TOP] = []
    for split_name in layout.bodies:
        layout.members[split_name] = []
    for step in ir.steps:
        layout.members[layout.scope_of[step.name]].append(step.name)
    return layout
