"""Graph analysis: from the steps the source declares to the IR's classified graph.

Structure is checked first (targets, start/end, reachability, cycles); scopes (split/join
balance and input rules) only on a structurally sound graph. The IR is built only when
there are no errors, so every consumer can trust it.
"""

from __future__ import annotations

from flowc import codes
from flowc.analyzer import FlowSource, StepSource
from flowc.diagnostics import Diagnostic, diag, has_errors
from flowc.graph._scopes import FOREACH_BRANCH, Scopes, analyze_scopes
from flowc.graph._structure import Structure, check_structure
from flowc.ir import FlowIR, Location, Step, StepKind

__all__ = ["build_ir"]


def build_ir(flow: FlowSource, source: str, out: list[Diagnostic]) -> FlowIR | None:
    structure = check_structure(flow, out)
    _check_artifact_names(flow, out)
    if has_errors(out) or not structure.acyclic or structure.start is None or structure.end is None:
        return None
    scopes = analyze_scopes(flow, structure, out)
    if has_errors(out):
        return None
    steps = [_ir_step(flow.steps[name], structure, scopes) for name in structure.order]
    return FlowIR(
        name=flow.name,
        file=flow.file,
        source_sha256=_sha256_hex(source.encode("utf-8")),
        docstring=flow.docstring,
        start=structure.start,
        end=structure.end,
        parameters=sorted(flow.parameters, key=lambda p: (p.location.file, p.location.line)),
        configs=sorted(flow.configs, key=lambda c: (c.location.file, c.location.line)),
        decorators=flow.decorators,
        steps=steps,
    )


def _kind(step: StepSource, structure: Structure) -> StepKind:
    if step.name == structure.start:
        return "start"
    if step.name == structure.end:
        return "end"
    if step.is_join:
        return "join"
    transition = step.transition or "linear"
    return "split-switch" if transition == "switch" else transition


def _ir_step(step: StepSource, structure: Structure, scopes: Scopes) -> Step:
    stack = scopes.stacks[step.name]
    transition = "end" if step.name == structure.end else (step.transition or "linear")
    return Step(
        name=step.name,
        kind=_kind(step, structure),
        transition=transition,
        next=list(structure.children[step.name]),
        parents=scopes.ordered_parents.get(step.name, []),
        is_join=step.is_join,
        input_rule=scopes.input_rules[step.name],
        foreach_var=step.foreach_var,
        num_parallel=step.num_parallel,
        switch=step.switch,
        recursive=step.switch is not None and step.name in step.switch.cases.values(),
        foreach_depth=sum(1 for _, branch in stack if branch == FOREACH_BRANCH),
        foreach_stack=[split for split, branch in stack if branch == FOREACH_BRANCH],
        split_stack=[split for split, _ in stack],
        matching_join=scopes.matching_join.get(step.name),
        docstring=step.docstring,
        decorators=step.decorators,
        location=step.location,
        num_parallel_location=(
            Location(step.file, step.next_span.start.line, step.next_span.start.column)
            if step.num_parallel is not None and step.next_span is not None
            else None
        ),
        foreach_width=step.foreach_width if step.foreach_var is not None else None,
        foreach_location=(
            Location(step.file, step.next_span.start.line, step.next_span.start.column)
            if step.foreach_var is not None and step.next_span is not None
            else None
        ),
    )


def _check_artifact_names(flow: FlowSource, out: list[Diagnostic]) -> None:
    """Warn when a foreach or switch names an artifact no step (or parameter) sets."""
    assigned: set[str] = {p.attribute for p in flow.parameters}
    for step in flow.steps.values():
        assigned |= step.assigned
    if "*" in assigned:
        return
    for step in flow.steps.values():
        if step.foreach_var and step.foreach_var not in assigned and step.next_span:
            out.append(
                diag(
                    codes.FC126,
                    f"foreach over `{step.foreach_var}`, but no step sets self.{step.foreach_var}",
                    step.next_span,
                    f"assign self.{step.foreach_var} = [...] in `{step.name}`",
                )
            )
        if step.switch and step.switch.condition not in assigned and step.next_span:
            cond = step.switch.condition
            out.append(
                diag(
                    codes.FC127,
                    f"switch on `{cond}`, but no step sets self.{cond}",
                    step.next_span,
                    f"assign self.{cond} in `{step.name}`",
                )
            )


def _sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data``. The interpreter's built-in implementation is used when present
    (``_sha256`` up to CPython 3.11, ``_sha2`` after): ``hashlib`` loads OpenSSL, which
    costs more start-up time than hashing a flow file."""
    import importlib

    for name in ("_sha2", "_sha256", "hashlib"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        return str(module.sha256(data).hexdigest())
    raise ImportError("no SHA-256 implementation")
