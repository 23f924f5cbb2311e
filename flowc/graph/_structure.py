"""Structural checks: targets exist, one start and one end, reachability, no cycles.

These run first; split/join scope analysis (``_scopes``) only runs on a graph that passed
them, so one mistake is reported once, at its source, instead of cascading.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from flowc import codes
from flowc.analyzer import FlowSource, StepSource
from flowc.diagnostics import Diagnostic, Fix, FixKind, Span, diag, did_you_mean


@dataclass
class Structure:
    start: str | None
    end: str | None
    children: dict[str, list[str]]
    parents: dict[str, list[str]]
    order: list[str]  # topological, self-loops ignored; reachable steps only
    acyclic: bool


def check_structure(flow: FlowSource, out: list[Diagnostic]) -> Structure:
    steps = flow.steps
    start, start_candidates = _pick_role(flow, "start", out)
    end, end_candidates = _pick_role(flow, "end", out)
    children: dict[str, list[str]] = {}
    # Steps whose outgoing edges are unknown or incomplete (a broken self.next); the steps
    # they meant to reach would otherwise be reported as unreachable, a second time.
    broken: set[str] = set()
    for step in steps.values():
        children[step.name] = []
        if step.name == end or step.name in end_candidates:
            if step.next_span is not None:
                out.append(
                    diag(
                        codes.FC111,
                        f"the end step `{step.name}` must not call self.next",
                        step.next_span,
                        "remove self.next(...) from the end step",
                    )
                )
            continue
        if step.broken_transition:
            broken.add(step.name)
        if step.transition is None and step.next_span is None:
            broken.add(step.name)
            out.append(
                diag(
                    codes.FC102,
                    f"step `{step.name}` does not end with self.next(...)",
                    step.span,
                    _missing_next_hint(step, end),
                )
            )
        _check_join_role(step, out)
        for target, span in zip(step.targets, step.target_spans, strict=True):
            if target in steps:
                if target not in children[step.name]:
                    children[step.name].append(target)
                continue
            broken.add(step.name)
            out.append(_unknown_target(flow, step, target, span))
    parents: dict[str, list[str]] = {name: [] for name in steps}
    for name, kids in children.items():
        for kid in kids:
            parents[kid].append(name)
    _check_parallel(flow, parents, out)
    order, acyclic = _toposort(start, children, parents, flow, out)
    if start is not None and not broken:
        # Extra start/end steps already have their FC110; the chosen end must be reachable.
        exempt = _reachable(start, children) | ((start_candidates | end_candidates) - {end})
        for step in steps.values():
            if step.name not in exempt:
                out.append(
                    diag(
                        codes.FC114,
                        f"step `{step.name}` cannot be reached from `{start}`",
                        step.span,
                        f"add self.next(self.{step.name}) to the step that should "
                        "lead here, or remove it",
                    )
                )
    return Structure(start, end, children, parents, order, acyclic)


def _unknown_target(flow: FlowSource, step: StepSource, target: str, span: Span) -> Diagnostic:
    if target in flow.methods:
        return diag(
            codes.FC101,
            f"`{target}` is a method but not a step",
            span,
            f"decorate `{target}` with @step",
        )
    guess = did_you_mean(target, sorted(flow.steps))
    return diag(
        codes.FC101,
        f"step `{step.name}` goes to unknown step `{target}`",
        span,
        guess.hint if guess else f"define `@step def {target}(self)` or fix the name",
        Fix(FixKind.RENAME_ATTRIBUTE, span, target, guess.unique)
        if guess and guess.unique
        else None,
    )


def _check_join_role(step: StepSource, out: list[Diagnostic]) -> None:
    """A join (a step taking ``inputs``) must not split again; Metaflow rejects it too."""
    if step.is_join and step.transition in ("split", "foreach", "switch"):
        what = {"split": "a split", "foreach": "a foreach", "switch": "a switch"}[step.transition]
        out.append(
            diag(
                codes.FC112,
                f"step `{step.name}` is both a join (it takes `inputs`) and {what}",
                step.span,
                f"add a step after `{step.name}` that does the {step.transition}",
            )
        )


def _check_parallel(flow: FlowSource, parents: dict[str, list[str]], out: list[Diagnostic]) -> None:
    """A @parallel step is entered only through ``self.next(..., num_parallel=N)``."""
    for step in flow.steps.values():
        if not any(d.name == "parallel" for d in step.decorators):
            continue
        callers = [p for p in parents[step.name] if flow.steps[p].num_parallel is None]
        if callers:
            out.append(
                diag(
                    codes.FC122,
                    f"step `{step.name}` has @parallel but `{callers[0]}` does not call it "
                    "with num_parallel",
                    step.span,
                    f"write self.next(self.{step.name}, num_parallel=N) in `{callers[0]}`",
                )
            )


def _missing_next_hint(step: StepSource, end: str | None) -> str:
    target = end or "end"
    return f"add self.next(self.{target}) (or the next step) as its last statement"


def _pick_role(flow: FlowSource, role: str, out: list[Diagnostic]) -> tuple[str | None, set[str]]:
    """The step playing ``role`` and every step that claims it (for duplicates)."""
    flagged = [s for s in flow.steps.values() if (s.start_flag if role == "start" else s.end_flag)]
    named = flow.steps.get(role)
    candidates = list(flagged)
    if named is not None and named not in candidates:
        candidates.append(named)
    if not candidates:
        code = codes.FC108 if role == "start" else codes.FC109
        out.append(
            diag(
                code,
                f"the flow `{flow.name}` has no {role} step",
                flow.span,
                f"add `@step def {role}(self)`"
                if role == "start"
                else "add `@step def end(self)` (it takes no self.next)",
            )
        )
        return None, set()
    if len(candidates) > 1:
        names = ", ".join(f"`{c.name}`" for c in candidates)
        for extra in candidates[1:]:
            out.append(
                diag(
                    codes.FC110,
                    f"more than one {role} step: {names}",
                    extra.span,
                    f"keep exactly one {role} step",
                )
            )
    return candidates[0].name, {c.name for c in candidates}


def _reachable(start: str, children: dict[str, list[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for kid in children.get(queue.popleft(), []):
            if kid not in seen:
                seen.add(kid)
                queue.append(kid)
    return seen


def _toposort(
    start: str | None,
    children: dict[str, list[str]],
    parents: dict[str, list[str]],
    flow: FlowSource,
    out: list[Diagnostic],
) -> tuple[list[str], bool]:
    """Kahn's algorithm from start, children in ``self.next`` order; self-loops are allowed
    only for switch steps (a recursive switch) and ignored for ordering."""
    if start is None:
        return [], True
    reachable = _reachable(start, children)
    indegree = {name: 0 for name in reachable}
    for name in reachable:
        for kid in children[name]:
            if kid == name and flow.steps[name].transition == "switch":
                continue
            indegree[kid] += 1
    order: list[str] = []
    queue = deque([start] if indegree.get(start) == 0 else [])
    while queue:
        name = queue.popleft()
        order.append(name)
        for kid in children[name]:
            if kid == name and flow.steps[name].transition == "switch":
                continue
            indegree[kid] -= 1
            if indegree[kid] == 0:
                queue.append(kid)
    if len(order) == len(reachable):
        return order, True
    _report_cycles(reachable, children, flow, out)
    return order, False


def _report_cycles(
    reachable: set[str], children: dict[str, list[str]], flow: FlowSource, out: list[Diagnostic]
) -> None:
    """Report each back edge found by a depth-first search, at the offending target.

    Iterative, with the current path indexed by step, so a 5,000-step chain costs linear
    time and no Python recursion.
    """
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(reachable, key=lambda n: flow.steps[n].location.line):
        if root in state:
            continue
        state[root] = 1
        path = [root]
        on_path = {root: 0}
        pending = [iter(children[root])]
        while pending:
            name = path[-1]
            kid = next(pending[-1], None)
            if kid is None:
                state[name] = 2
                del on_path[name]
                path.pop()
                pending.pop()
                continue
            step = flow.steps[name]
            if kid == name and step.transition == "switch":
                continue
            if state.get(kid) == 1:
                loop = _dedupe([*path[on_path[kid] :], kid])
                out.append(
                    diag(
                        codes.FC113,
                        f"cycle: {_shorten(loop)}",
                        step.target_spans[step.targets.index(kid)],
                        "only a switch may loop back, and only to its own step",
                    )
                )
            elif kid not in state:
                state[kid] = 1
                on_path[kid] = len(path)
                path.append(kid)
                pending.append(iter(children[kid]))


def _shorten(loop: list[str]) -> str:
    if len(loop) > 8:
        return " -> ".join([*loop[:3], f"... ({len(loop) - 6} more)", *loop[-3:]])
    return " -> ".join(loop)


def _dedupe(loop: list[str]) -> list[str]:
    out: list[str] = []
    for item in loop:
        if not out or out[-1] != item:
            out.append(item)
    return out
