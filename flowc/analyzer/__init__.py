"""Static reading of a flow file: source text in, ``FlowSource`` plus diagnostics out.

The module is parsed with the standard library's ``ast`` (positions included) and never
imported or executed. Graph analysis happens afterwards, in ``flowc.graph``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from flowc import codes
from flowc.analyzer._classes import (
    ClassRef,
    FlowClass,
    ParsedModule,
    find_flow_classes,
    main_flow_name,
    parse_module,
)
from flowc.analyzer._configs import ConfigInputs, read_configs
from flowc.analyzer._decorators import location_of, read_decorators, span_of
from flowc.analyzer._foreach_width import static_width
from flowc.analyzer._imports import check_imports
from flowc.analyzer._params import parameter_call, read_parameter
from flowc.analyzer._steps import StepSource, is_step, read_step
from flowc.diagnostics import Diagnostic, Span, diag
from flowc.ir import Config, Decorator, Location, Parameter

__all__ = ["ConfigInputs", "FlowSource", "StepSource", "read_flow"]

RESERVED_STEP_NAMES = frozenset({"name", "next", "input", "index", "cmd"})
# Parameter names the run command line keeps for itself (as Metaflow does).
RESERVED_PARAMETER_NAMES = frozenset(
    {
        "params",
        "with",
        "tag",
        "tags",
        "namespace",
        "obj",
        "decospecs",
        "run-id-file",
        "max-num-splits",
        "max-workers",
        "max-log-size",
        "user-namespace",
        "run-id",
        "task-id",
        "datastore",
        "quiet",
        "flow",
    }
)
_STEP_NAME_RE = re.compile(r"^[a-z0-9_]+$")


@dataclass
class FlowSource:
    name: str
    file: str
    docstring: str | None
    location: Location
    span: Span
    steps: dict[str, StepSource]
    parameters: list[Parameter]
    decorators: list[Decorator]
    methods: set[str] = field(default_factory=set)
    configs: list[Config] = field(default_factory=list)


def read_flow(
    path: str,
    source: str,
    flow_name: str | None,
    out: list[Diagnostic],
    configs: ConfigInputs | None = None,
) -> FlowSource | None:
    """Find the flow class in ``source`` and read its steps, parameters, configs and
    decorators; ``configs`` are the config values given from outside the flow."""
    if not source.strip():
        out.append(
            diag(
                codes.FC002,
                "the file is empty; it defines no flow",
                Span.at(path, 1, 0),
                "define `class MyFlow(FlowSpec)` with steps",
            )
        )
        return None
    try:
        module = parse_module(path, source)
    except SyntaxError as exc:
        line = exc.lineno or 1
        column = max((exc.offset or 1) - 1, 0)
        out.append(
            diag(
                codes.FC001,
                f"syntax error: {exc.msg}",
                Span.at(path, line, column),
                "fix the Python syntax; flowc reads the file without running it",
            )
        )
        return None
    except ValueError as exc:  # e.g. null bytes in the source
        out.append(diag(codes.FC001, f"the file cannot be parsed: {exc}", Span.at(path, 1, 0)))
        return None
    out.extend(check_imports(path, module.tree))
    flows, _ = find_flow_classes(module)
    chosen = _choose_flow(module, flows, flow_name, path, out)
    if chosen is None:
        return None
    return _read_flow_class(chosen, out, configs or ConfigInputs())


def _choose_flow(
    module: ParsedModule,
    flows: list[FlowClass],
    flow_name: str | None,
    path: str,
    out: list[Diagnostic],
) -> FlowClass | None:
    if flow_name is not None:
        match = [f for f in flows if f.ref.name == flow_name]
        if not match:
            names = ", ".join(f.ref.name for f in flows) or "none"
            out.append(
                diag(
                    codes.FC004,
                    f"`{flow_name}` is not a FlowSpec subclass in this file (flows found: {names})",
                    Span.at(path, 1, 0),
                )
            )
            return None
        return match[0]
    if not flows:
        out.append(
            diag(
                codes.FC002,
                "no FlowSpec subclass is defined in this file",
                Span.at(path, 1, 0),
                "import FlowSpec (from metaflow or flowc) and subclass it",
            )
        )
        return None
    bases = {ref.key for flow in flows for ref in flow.mro[1:]}
    leaves = [f for f in flows if f.ref.key not in bases]
    if len(leaves) == 1:
        return leaves[0]
    main = main_flow_name(module)
    for flow in leaves:
        if flow.ref.name == main:
            return flow
    names = ", ".join(f.ref.name for f in leaves)
    out.append(
        diag(
            codes.FC003,
            f"this file defines several flows ({names})",
            span_of(path, leaves[1].ref.node),
            f"choose one with --flow {leaves[0].ref.name}",
        )
    )
    return None


def _read_flow_class(flow: FlowClass, out: list[Diagnostic], inputs: ConfigInputs) -> FlowSource:
    ref = flow.ref
    file = ref.module.path
    # Configs first: decorators and parameter defaults anywhere in the class may read them.
    scope = read_configs(flow, inputs, out)
    for cls in flow.mro:
        cls.module.config_scope = scope
    for owner, base in flow.unresolved_bases:
        out.append(
            diag(
                codes.FC006,
                f"base class `{ast.unparse(base)}` of `{owner.name}` cannot "
                "be read; steps and parameters it defines are unknown",
                span_of(owner.module.path, base),
                "define it in this file or in a module next to it",
            )
        )
    steps: dict[str, StepSource] = {}
    parameters: list[Parameter] = []
    seen_members: set[str] = set()  # a subclass's member hides its bases' members
    for cls in flow.mro:
        members = [(name, node) for node in cls.node.body if (name := _member_name(node))]
        last = {name: node for name, node in members}  # in a class body, the last one wins
        for name, node in members:
            if last[name] is not node:
                _report_redefinition(node, last[name], cls, out)
                continue
            if name in seen_members:
                continue
            seen_members.add(name)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if is_step(node, cls):
                    steps[name] = read_step(node, cls, out)
                continue
            assert isinstance(node, ast.Assign)
            kind = parameter_call(node.value, cls)
            if kind is not None:
                assert isinstance(node.value, ast.Call)
                param = read_parameter(name, node.value, kind, cls, out)
                if param is not None:
                    parameters.append(param)
    _check_step_names(steps, out)
    _check_parameter_names(parameters, steps, out)
    int_defaults = {
        p.attribute: p.default
        for p in parameters
        if type(p.default) is int and p.has_default and not p.required
    }
    for step in steps.values():
        step.foreach_width = static_width(step.foreach_value, int_defaults)
    decorators = read_decorators(
        ref.node.decorator_list, "flow", ref.module.names, file, ref.module.source, out, scope
    )
    return FlowSource(
        name=ref.name,
        file=file,
        docstring=ast.get_docstring(ref.node),
        location=location_of(file, ref.node),
        span=Span.at(
            file,
            ref.node.lineno,
            ref.node.col_offset + 6,
            ref.node.lineno,
            ref.node.col_offset + 6 + len(ref.name),
        ),
        steps=steps,
        parameters=parameters,
        decorators=decorators,
        methods=seen_members,
        configs=scope.configs,
    )


def _member_name(node: ast.stmt) -> str | None:
    """The class attribute a statement defines: a method, or a single-name assignment."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        if isinstance(target, ast.Name):
            return target.id
    return None


def _report_redefinition(
    earlier: ast.stmt, later: ast.stmt, cls: ClassRef, out: list[Diagnostic]
) -> None:
    """A name bound twice in one class body: Python keeps the later binding silently."""
    file = cls.module.path

    def role(node: ast.stmt) -> str | None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return "step" if is_step(node, cls) else None
        if isinstance(node, ast.Assign) and parameter_call(node.value, cls) is not None:
            return "parameter"
        return None

    roles = (role(earlier), role(later))
    name = _member_name(later)
    if roles == ("step", "step"):
        out.append(
            diag(
                codes.FC123,
                f"step `{name}` is defined twice; the later definition replaces the earlier",
                span_of(file, later),
                "rename or remove one of them",
            )
        )
    elif "step" in roles and "parameter" in roles:
        param = earlier if roles[0] == "parameter" else later
        assert isinstance(param, ast.Assign)
        out.append(
            diag(
                codes.FC204,
                f"parameter `{name}` and step `{name}` share one attribute; only the "
                f"{'step' if param is earlier else 'parameter'} survives",
                span_of(file, param.value),
                "rename the parameter's attribute or the step",
            )
        )


def _check_step_names(steps: dict[str, StepSource], out: list[Diagnostic]) -> None:
    for step in steps.values():
        if step.name in RESERVED_STEP_NAMES:
            out.append(
                diag(
                    codes.FC106,
                    f"`{step.name}` is a reserved name and cannot be a step",
                    step.span,
                    f"rename the step, e.g. `{step.name}_step`",
                )
            )
        elif not _STEP_NAME_RE.match(step.name) or step.name.startswith("_"):
            out.append(
                diag(
                    codes.FC107,
                    f"step name `{step.name}` must use only lowercase letters, "
                    "digits and '_', and not start with '_'",
                    step.span,
                    f"rename it to `{step.name.lower().lstrip('_') or 'step'}`",
                )
            )


def _check_parameter_names(
    parameters: list[Parameter], steps: dict[str, StepSource], out: list[Diagnostic]
) -> None:
    seen: dict[str, Parameter] = {}
    for param in sorted(parameters, key=lambda p: (p.location.line, p.location.column)):
        span = param.location.span()
        key = param.name.replace("-", "_").lower()
        if key in seen:
            out.append(
                diag(
                    codes.FC204,
                    f"parameter name `{param.name}` is already used by `{seen[key].attribute}`",
                    span,
                    "give each parameter its own name",
                )
            )
        seen[key] = param
        if param.attribute in steps:
            out.append(
                diag(
                    codes.FC204,
                    f"parameter `{param.attribute}` has the same name as a step",
                    span,
                    "rename the parameter or the step",
                )
            )
        if param.attribute in RESERVED_STEP_NAMES:
            out.append(
                diag(
                    codes.FC204,
                    f"`{param.attribute}` is a reserved attribute of FlowSpec",
                    span,
                    "rename the parameter's attribute",
                )
            )
        elif param.name.replace("_", "-") in RESERVED_PARAMETER_NAMES:
            out.append(
                diag(
                    codes.FC204,
                    f"`{param.name}` is a reserved parameter name",
                    span,
                    "rename the parameter",
                )
            )
