"""Checks hera does not make: DAG cycles, name rules, and the size limits of the object."""

from __future__ import annotations

from typing import Any

from backends.argo._containers import StepNames
from backends.argo._names import MAX_NAME, is_dns1123
from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import FlowIR

# The API server refuses a request larger than etcd's --max-request-bytes (1.5 MiB by
# default): FC307. ``kubectl apply`` (client-side) copies the whole object into the
# kubectl.kubernetes.io/last-applied-configuration annotation, and annotations are
# limited to 256 KiB in total, so a larger object needs ``kubectl create`` or
# ``kubectl apply --server-side``: FC303, a warning.
SIZE_LIMIT = 1536 * 1024
APPLY_ANNOTATION_LIMIT = 256 * 1024


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle in ``edges`` (node → nodes it depends on), or None. Iterative, so a
    thousand-step chain does not hit Python's recursion limit."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(edges):
        if root in state:
            continue
        path = [root]
        stack = [iter(sorted(edges.get(root, ())))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(edges.get(nxt, ()))))
    return None


def _dependencies(depends: str | None) -> set[str]:
    if not depends:
        return set()
    words = depends.replace("(", " ").replace(")", " ").replace("&&", " ").replace("||", " ")
    return {w.rsplit(".", 1)[0] for w in words.split() if w}


def check_dags(ir: FlowIR, templates: list[Any], names: StepNames) -> list[Diagnostic]:
    """Every DAG is acyclic and references known tasks; every name is DNS-1123."""
    out: list[Diagnostic] = []
    by_template = {v: k for k, v in names.templates.items()}
    template_names = {t.name for t in templates}
    for template in templates:
        if not is_dns1123(template.name, MAX_NAME):
            out.append(
                diag(
                    codes.FC304,
                    f"template name {template.name!r} is not a valid Kubernetes name",
                    None,
                )
            )
        if template.dag is None:
            continue
        tasks = {t.name for t in template.dag.tasks}
        edges: dict[str, set[str]] = {}
        for task in template.dag.tasks:
            deps = _dependencies(task.depends)
            unknown = deps - tasks
            if unknown or task.template not in template_names:
                out.append(
                    diag(
                        codes.FC901,
                        f"internal: task {task.name!r} in {template.name!r} "
                        f"references {sorted(unknown) or task.template!r}",
                        None,
                    )
                )
            edges[task.name] = deps & tasks
        cycle = _cycle(edges)
        if cycle:
            step = ir.step(by_template[cycle[0]]) if cycle[0] in by_template else None
            span = step.location.span() if step else None
            out.append(
                diag(
                    codes.FC301,
                    "the flow's graph has a cycle Argo cannot run: " + " -> ".join(cycle),
                    span,
                    "only a switch may loop back to its own step",
                )
            )
    return out


def check_size(text: str, kind: str) -> list[Diagnostic]:
    size = len(text.encode("utf-8"))
    if size > SIZE_LIMIT:
        return [
            diag(
                codes.FC307,
                f"the {kind} is {size:,} bytes; the Kubernetes API server accepts at most "
                f"{SIZE_LIMIT:,} (etcd's default --max-request-bytes)",
                None,
                "split the flow, or reduce decorators and environment repeated on every step",
            )
        ]
    if size > APPLY_ANNOTATION_LIMIT:
        return [
            diag(
                codes.FC303,
                f"the {kind} is {size:,} bytes; `kubectl apply` stores a copy in the "
                "last-applied-configuration annotation, which holds at most "
                f"{APPLY_ANNOTATION_LIMIT:,}",
                None,
                "submit it with `kubectl create` or `kubectl apply --server-side`",
            )
        ]
    return []
