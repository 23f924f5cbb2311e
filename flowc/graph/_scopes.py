"""Split/join scopes: matching every split with its join, and each step's input rule.

Each step gets the stack of splits it runs inside. A static split pushes one entry per
branch (``(split, branch)``), a foreach pushes ``(split, "*")``, a switch pushes nothing:
its cases merge back into the same scope at a plain step. A join pops the entry its
parents share. Comparing parents' stacks tells a correct join from an unbalanced one,
and a switch merge from a missing join.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowc import codes
from flowc.analyzer import FlowSource, StepSource
from flowc.diagnostics import Diagnostic, Fix, FixKind, diag, has_errors
from flowc.graph._structure import Structure
from flowc.ir import InputRule

ScopeEntry = tuple[str, str]  # (split step, branch step or "*" for a foreach)
FOREACH_BRANCH = "*"


@dataclass
class Scopes:
    stacks: dict[str, list[ScopeEntry]] = field(default_factory=dict)
    input_rules: dict[str, InputRule] = field(default_factory=dict)
    matching_join: dict[str, str] = field(default_factory=dict)
    ordered_parents: dict[str, list[str]] = field(default_factory=dict)


def _pushed(parent: StepSource, child: str) -> list[ScopeEntry]:
    if parent.transition == "split":
        return [(parent.name, child)]
    if parent.transition == "foreach":
        return [(parent.name, FOREACH_BRANCH)]
    return []


def analyze_scopes(flow: FlowSource, structure: Structure, out: list[Diagnostic]) -> Scopes:
    steps = flow.steps
    scopes = Scopes()
    position = {name: i for i, name in enumerate(structure.order)}
    # Steps downstream of a reported scope error: their stacks are unknown, so checking
    # them would only repeat the first mistake in other words.
    tainted: set[str] = set()
    for name in structure.order:
        step = steps[name]
        real_parents = sorted(
            (p for p in structure.parents[name] if p != name), key=lambda p: position[p]
        )
        if any(p in tainted for p in real_parents):
            tainted.add(name)
            scopes.stacks[name] = []
            scopes.input_rules[name] = InputRule("same", real_parents[:1])
            continue
        reported = len(out)
        incoming = {p: scopes.stacks[p] + _pushed(steps[p], name) for p in real_parents}
        if name == structure.start:
            scopes.stacks[name] = []
            scopes.input_rules[name] = InputRule("none", [])
            if real_parents:
                out.append(
                    diag(
                        codes.FC113,
                        f"the start step `{name}` cannot have parents",
                        steps[real_parents[0]].next_span or step.span,
                    )
                )
        elif name == structure.end and step.is_join:
            scopes.stacks[name] = []
            scopes.input_rules[name] = InputRule("join", real_parents)
            out.append(
                diag(
                    codes.FC112,
                    f"the end step `{name}` cannot be a join (it takes `inputs`)",
                    step.span,
                    f"add a join step before `{name}` and write `def {name}(self)`",
                )
            )
        elif step.is_join:
            _join(step, real_parents, incoming, flow, scopes, out)
        else:
            _plain(step, real_parents, incoming, flow, scopes, out)
        if name == structure.end and scopes.stacks[name]:
            split = scopes.stacks[name][-1][0]
            out.append(
                diag(
                    codes.FC115,
                    f"the end step is reached before the split at `{split}` is joined",
                    step.span,
                    f"add a join step (def join(self, inputs)) after the branches of `{split}`",
                )
            )
        _check_foreach_target(step, flow, out)
        if has_errors(out[reported:]):
            tainted.add(name)
    return scopes


def _plain(
    step: StepSource,
    parents: list[str],
    incoming: dict[str, list[ScopeEntry]],
    flow: FlowSource,
    scopes: Scopes,
    out: list[Diagnostic],
) -> None:
    name = step.name
    recursive = name in step.targets and step.transition == "switch"
    stacks = [incoming[p] for p in parents]
    scopes.stacks[name] = stacks[0] if stacks else []
    if any(s != stacks[0] for s in stacks[1:]):
        splits = sorted({e[0] for s in stacks for e in s if e not in stacks[0] or s != stacks[0]})
        where = ", ".join(f"`{s}`" for s in splits) or "a split"
        out.append(
            diag(
                codes.FC112,
                f"step `{name}` receives {len(parents)} paths from {where} but is not a join",
                step.span,
                f"make it a join: `def {name}(self, inputs)`",
                # step.span is the method's name; `def name(self)` gains `inputs`.
                Fix(FixKind.ADD_PARAMETER, step.span, name, "inputs")
                if step.num_args == 1
                else None,
            )
        )
    all_parents = [*parents, name] if recursive else parents
    scopes.ordered_parents[name] = all_parents
    enters = len(parents) == 1 and flow.steps[parents[0]].transition == "foreach"
    if enters:
        # Also for a recursive step that opens a foreach body: its iteration 0 enters the
        # foreach (an `any` rule would look for the split at the child's index path), and
        # iterations >= 1 read the previous iteration whatever the rule says.
        scopes.input_rules[name] = InputRule("enter", parents)
    elif len(all_parents) > 1:
        scopes.input_rules[name] = InputRule("any", all_parents)
    else:
        scopes.input_rules[name] = InputRule("same", parents)


def _join(
    step: StepSource,
    parents: list[str],
    incoming: dict[str, list[ScopeEntry]],
    flow: FlowSource,
    scopes: Scopes,
    out: list[Diagnostic],
) -> None:
    name = step.name
    scopes.stacks[name] = []
    scopes.ordered_parents[name] = parents
    scopes.input_rules[name] = InputRule("join", parents)
    for parent in parents:
        p = flow.steps[parent]
        if p.transition == "split":
            # Metaflow rejects this too (as joining unrelated splits); targets such as Step
            # Functions' Parallel cannot express a branch without a state.
            out.append(
                diag(
                    codes.FC129,
                    f"a branch of the split in `{parent}` goes directly to the join `{name}`",
                    p.target_spans[p.targets.index(name)],
                    f"add a step to that branch, or drop `self.{name}` from `{parent}`'s self.next",
                )
            )
            return
        if p.transition == "switch":
            out.append(
                diag(
                    codes.FC121,
                    f"the switch in `{parent}` leads directly to the join `{name}`",
                    p.target_spans[p.targets.index(name)],
                    f"add a step between `{parent}` and `{name}`",
                )
            )
            return
    stacks = [incoming[p] for p in parents]
    if not stacks or any(not s for s in stacks):
        out.append(
            diag(
                codes.FC117,
                f"step `{name}` takes `inputs` like a join, but no split precedes it",
                step.span,
                f"remove `inputs`: `def {name}(self)`, or add a split before it",
            )
        )
        return
    tops = {s[-1][0] for s in stacks}
    rests = {tuple(s[:-1]) for s in stacks}
    if len(tops) > 1 or len(rests) > 1:
        out.append(
            diag(
                codes.FC118,
                f"join `{name}` joins steps from unrelated splits ({', '.join(sorted(tops))})",
                step.span,
                "join each split's branches in its own join step",
            )
        )
        return
    split = flow.steps[tops.pop()]
    scopes.stacks[name] = list(rests.pop())
    scopes.matching_join[split.name] = name
    if split.transition == "foreach":
        # Several parents only when a switch in the body ends at the join: each foreach
        # task takes one of them, so they are one group of alternatives.
        alternatives = [parents] if len(parents) > 1 else []
        scopes.input_rules[name] = InputRule("join-foreach", parents, alternatives)
        return
    branches = [s[-1][1] for s in stacks]
    if set(branches) != set(split.targets):
        out.append(
            diag(
                codes.FC116,
                f"join `{name}` receives {len(parents)} path(s) "
                f"({', '.join(parents)}) but the split at `{split.name}` started "
                f"{len(split.targets)} ({', '.join(split.targets)})",
                step.span,
                "every branch of a split must reach its join",
            )
        )
        return
    # Order the join's inputs by the split's branch order, for a deterministic `inputs`.
    # Parents that end the same branch are a switch's paths inside that branch: exactly
    # one of them runs, so the join takes one input per branch, as Metaflow's does.
    branch_of = {p: s[-1][1] for p, s in zip(parents, stacks, strict=True)}
    ordered = sorted(parents, key=lambda p: split.targets.index(branch_of[p]))
    by_branch = [[p for p in ordered if branch_of[p] == b] for b in split.targets]
    scopes.ordered_parents[name] = ordered
    scopes.input_rules[name] = InputRule(
        "join", ordered, [group for group in by_branch if len(group) > 1]
    )


def _check_foreach_target(step: StepSource, flow: FlowSource, out: list[Diagnostic]) -> None:
    if step.transition != "foreach" or not step.targets:
        return
    target = flow.steps.get(step.targets[0])
    if target is None:
        return
    if target.is_join:
        out.append(
            diag(
                codes.FC120,
                f"the foreach in `{step.name}` leads directly to the join `{target.name}`",
                step.target_spans[0],
                "add at least one step to the foreach body",
            )
        )
    if (
        step.num_parallel is not None
        and target.decorators is not None
        and not any(d.name == "parallel" for d in target.decorators)
    ):
        out.append(
            diag(
                codes.FC122,
                f"num_parallel targets `{target.name}`, which is not decorated with @parallel",
                step.target_spans[0],
                f"add @parallel to `{target.name}`",
            )
        )
