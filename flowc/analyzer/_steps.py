"""Reading one step method: its role, its decorators and its single ``self.next`` call.

As in Metaflow, the transition is the step's last statement. A static compiler must also
reject what Metaflow only discovers at run time: a computed target, a second ``self.next``
or one hidden inside an ``if``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from flowc import codes
from flowc.analyzer._classes import ClassRef
from flowc.analyzer._decorators import location_of, read_decorators, span_of
from flowc.analyzer._foreach_width import assigned_value
from flowc.analyzer._literals import NotLiteral, literal_value, source_of
from flowc.analyzer._next_call import parse_next_call
from flowc.diagnostics import Diagnostic, Span, diag
from flowc.ir import Decorator, Location, Switch, Transition


@dataclass
class StepSource:
    """What the source says about one step, before graph analysis."""

    name: str
    file: str
    location: Location
    span: Span
    num_args: int
    start_flag: bool
    end_flag: bool
    docstring: str | None
    decorators: list[Decorator]
    transition: Transition | None = None
    targets: list[str] = field(default_factory=list)
    target_spans: list[Span] = field(default_factory=list)
    next_span: Span | None = None
    foreach_var: str | None = None
    num_parallel: int | str | None = None
    switch: Switch | None = None
    assigned: set[str] = field(default_factory=set)
    # The expression the step assigns to its foreach artifact (once, plainly), and the
    # width the analyzer reads from it (``_foreach_width``) once the parameters are known.
    foreach_value: ast.expr | None = None
    foreach_width: int | None = None
    # The self.next call was reported as invalid (FC103/FC104/FC105): the graph may be
    # missing edges the author meant, so consequences such as unreachable steps are not
    # reported on top of it.
    broken_transition: bool = False

    @property
    def is_join(self) -> bool:
        return self.num_args == 2


def is_step(func: ast.FunctionDef | ast.AsyncFunctionDef, ref: ClassRef) -> bool:
    return any(ref.module.names.canonical(d) == "step" for d in func.decorator_list)


def read_step(
    func: ast.FunctionDef | ast.AsyncFunctionDef, ref: ClassRef, out: list[Diagnostic]
) -> StepSource:
    module = ref.module
    file, source = module.path, module.source
    name_span = _name_span(file, func)
    start_flag, end_flag = _step_flags(func, ref, out)
    step = StepSource(
        name=func.name,
        file=file,
        location=location_of(file, func),
        span=name_span,
        num_args=len(func.args.args) + len(func.args.posonlyargs),
        start_flag=start_flag,
        end_flag=end_flag,
        docstring=ast.get_docstring(func),
        decorators=read_decorators(
            func.decorator_list, "step", module.names, file, source, out, module.config_scope
        ),
    )
    if isinstance(func, ast.AsyncFunctionDef):
        out.append(
            diag(
                codes.FC124,
                f"step `{func.name}` must not be async",
                name_span,
                f"write `def {func.name}(self)`",
            )
        )
    if (
        step.num_args == 0
        or func.args.vararg
        or func.args.kwarg
        or func.args.kwonlyargs
        or step.num_args > 2
    ):
        out.append(
            diag(
                codes.FC124,
                f"step `{func.name}` must take `self` (and `inputs` for a join) only",
                name_span,
                f"write `def {func.name}(self)` or `def {func.name}(self, inputs)`",
            )
        )
    body = _walk_body(func)
    step.assigned = _assigned_attributes(body)
    _read_transition(func, body, step, source, out)
    if step.foreach_var is not None:
        step.foreach_value = assigned_value(body, step.foreach_var)
    return step


def _name_span(file: str, func: ast.FunctionDef | ast.AsyncFunctionDef) -> Span:
    # ``def`` is 4 columns (``async def`` 10); point at the name itself.
    offset = 10 if isinstance(func, ast.AsyncFunctionDef) else 4
    col = func.col_offset + offset
    return Span.at(file, func.lineno, col, func.lineno, col + len(func.name))


def _step_flags(
    func: ast.FunctionDef | ast.AsyncFunctionDef, ref: ClassRef, out: list[Diagnostic]
) -> tuple[bool, bool]:
    start = end = False
    for deco in func.decorator_list:
        if not isinstance(deco, ast.Call) or ref.module.names.canonical(deco) != "step":
            continue
        for kw in deco.keywords:
            try:
                value = literal_value(kw.value)
            except NotLiteral:
                value = None
            if kw.arg in ("start", "end") and isinstance(value, bool):
                start = start or (kw.arg == "start" and value)
                end = end or (kw.arg == "end" and value)
            else:
                out.append(
                    diag(
                        codes.FC128,
                        f"@step({source_of(ref.module.source, kw)}) is not supported",
                        span_of(ref.module.path, kw),
                        "@step takes only start=True or end=True",
                    )
                )
        for arg in deco.args:
            out.append(
                diag(
                    codes.FC128,
                    "@step takes keyword arguments only",
                    span_of(ref.module.path, arg),
                    "write @step, @step(start=True) or @step(end=True)",
                )
            )
    return start, end


def _is_self_next(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "next"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "self"
    )


_OPAQUE = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# Leaf-only node types (operators, load/store contexts) that can never matter here.
_NOISE = (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)


def _walk_body(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """Nodes of the step body in no particular order, not descending into nested functions,
    classes or lambdas. This walk is most of the analyzer's per-step cost, hence the
    hand-rolled loop instead of ``ast.walk``/``ast.iter_child_nodes`` (about 2x faster)."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(func.body)
    node_type = ast.AST
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, _OPAQUE):
            continue
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                stack.extend(v for v in value if isinstance(v, node_type))
            elif isinstance(value, node_type) and not isinstance(value, _NOISE):
                stack.append(value)
    return found


def _assigned_attributes(body: list[ast.AST]) -> set[str]:
    names: set[str] = set()
    for node in body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, (ast.For, ast.With)):
            targets = (
                [node.target]
                if isinstance(node, ast.For)
                else [i.optional_vars for i in node.items if i.optional_vars is not None]
            )
        while targets:
            target = targets.pop()
            if isinstance(target, (ast.Tuple, ast.List)):
                targets.extend(target.elts)
            elif isinstance(target, ast.Starred):
                targets.append(target.value)
            elif (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                names.add(target.attr)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and node.args
        ):
            first = node.args[0]
            if isinstance(first, ast.Name) and first.id == "self" and len(node.args) > 1:
                try:
                    attr = literal_value(node.args[1])
                    if isinstance(attr, str):
                        names.add(attr)
                except NotLiteral:
                    names.add("*")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "merge_artifacts"
        ):
            names.add("*")
    return names


def _read_transition(
    func: ast.FunctionDef | ast.AsyncFunctionDef,
    body: list[ast.AST],
    step: StepSource,
    source: str,
    out: list[Diagnostic],
) -> None:
    calls = [n for n in body if _is_self_next(n)]
    calls.sort(key=lambda c: (getattr(c, "lineno", 0), getattr(c, "col_offset", 0)))
    if not calls:
        return
    file = step.file
    for extra in calls[1:]:
        out.append(
            diag(
                codes.FC103,
                f"step `{step.name}` calls self.next more than once",
                span_of(file, extra),
                "a step has exactly one transition, as its last statement; use a "
                "switch (self.next({...}, condition=...)) to choose at run time",
            )
        )
    call = calls[0]
    assert isinstance(call, ast.Call)
    step.next_span = span_of(file, call)
    reported = len(out)
    last = func.body[-1]
    if len(calls) == 1 and not (isinstance(last, ast.Expr) and last.value is call):
        out.append(
            diag(
                codes.FC125,
                f"self.next in step `{step.name}` must be the step's last statement",
                span_of(file, call),
                "move self.next(...) to the end of the step, outside any if/for/with",
            )
        )
    parse_next_call(call, step, source, out)
    step.broken_transition = len(calls) > 1 or any(
        d.code in (codes.FC104.code, codes.FC105.code) for d in out[reported:]
    )
