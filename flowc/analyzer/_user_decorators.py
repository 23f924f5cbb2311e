"""Mutators and user step decorators a flow file defines, and the diagnostic for each use.

They are user code that runs inside the task (``runtime_shim.user_decorators``), so the
compiler can name them but not know what they do:

* a ``FlowMutator`` or ``StepMutator`` may add or remove decorators (``@retry``,
  ``@resources``, ...), parameters or steps' decorators when it runs. The compiled spec
  would then differ from what Metaflow runs, so applying one is an error (FC460) at the
  line that applies it. ``# flowc: runtime-mutator`` on that line accepts it (FC461, a
  warning): the task still applies its changes to what the shim applies (``@catch``,
  ``@timeout``, ``@environment``, ``@secrets``, user step decorators), and the spec keeps
  what the source says for everything else.
* a ``UserStepDecorator`` (or a ``user_step_decorator`` generator) only wraps the step
  body inside the task; the spec cannot be wrong, and a note (FC462) says where it runs.

Classes are recognised by their bases, also through other classes of the same file;
``@user_step_decorator`` functions by that decorator.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from flowc import codes

if TYPE_CHECKING:
    from flowc.analyzer._names import ApiNames
    from flowc.diagnostics import Diagnostic, Span

MUTATOR_KINDS = ("FlowMutator", "StepMutator")
WRAPPER_KIND = "UserStepDecorator"
ACCEPT_PRAGMA = "flowc: runtime-mutator"


def user_decorator_kinds(module: ast.Module, names: ApiNames) -> dict[str, str]:
    """Local name -> ``FlowMutator``/``StepMutator``/``UserStepDecorator`` for every
    mutator class, user step decorator class and ``@user_step_decorator`` function."""
    kinds: dict[str, str] = {}
    for node in module.body:
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                kind = _kind_of(base, names, kinds)
                if kind is not None and (node.name not in kinds or kind in MUTATOR_KINDS):
                    kinds[node.name] = kind
        elif isinstance(node, ast.FunctionDef) and any(
            names.canonical(d) == "user_step_decorator" for d in node.decorator_list
        ):
            kinds[node.name] = WRAPPER_KIND
    return kinds


def _kind_of(base: ast.expr, names: ApiNames, kinds: dict[str, str]) -> str | None:
    canonical = names.canonical(base)
    if canonical in (*MUTATOR_KINDS, WRAPPER_KIND):
        return canonical
    if isinstance(base, ast.Name):
        return kinds.get(base.id)
    return None


def user_decorator_diagnostic(
    node: ast.expr, kind: str, written: str, span: Span, source: str
) -> Diagnostic:
    """The diagnostic for applying user decorator ``written`` of ``kind`` at ``node``."""
    from flowc.diagnostics import diag

    if kind == WRAPPER_KIND:
        return diag(
            codes.FC462,
            f"`@{written}` is a user step decorator: it wraps the step inside the task",
            span,
            "nothing to change; it runs on every target, the compiled spec is unaffected",
        )
    lines = source.splitlines()
    line = lines[node.lineno - 1] if 0 < node.lineno <= len(lines) else ""
    if ACCEPT_PRAGMA in line:
        return diag(
            codes.FC461,
            f"`@{written}` is a {kind}: the task applies what it changes in @catch, @timeout, "
            "@environment, @secrets and user step decorators; the compiled spec keeps the "
            "source's graph, parameters and other decorators",
            span,
            "write the decorators it adds in the source to have them in the compiled spec",
        )
    return diag(
        codes.FC460,
        f"`@{written}` is a {kind}: what it changes in the flow is only known when it runs, "
        "so the compiled spec may not be what Metaflow runs",
        span,
        f"write its changes in the source, or accept run-time-only changes with "
        f"`# {ACCEPT_PRAGMA}` on this line",
    )
