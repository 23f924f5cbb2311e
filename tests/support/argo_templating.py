"""Argo's and Kubernetes' text rewriting, as the harness models it.

``substitute`` is one pass of Argo's ``{{...}}`` substitution (``{{=expr}}`` evaluated);
``k8s_expand`` is Kubernetes' ``$(VAR)`` expansion of container args and env;
``parse_depends`` evaluates a DAG task's ``depends`` expression.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.support.argo_expr import ExprError, evaluate

SUCCEEDED, FAILED, ERRORED, SKIPPED, OMITTED = (
    "Succeeded",
    "Failed",
    "Error",
    "Skipped",
    "Omitted",
)
_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_RESULTS = {
    "Succeeded": SUCCEEDED,
    "Failed": FAILED,
    "Errored": ERRORED,
    "Skipped": SKIPPED,
    "Omitted": OMITTED,
    "Daemoned": "Daemoned",
}


class HarnessError(Exception):
    """The manifest uses something Argo would reject (or the harness does not model)."""


def k8s_expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' ``$(VAR)`` expansion (k8s.io/kubernetes third_party expansion.Expand)."""
    out: list[str] = []
    checkpoint, cursor = 0, 0
    while cursor < len(text):
        if text[cursor] == "$" and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            rest = text[cursor + 1 :]
            if rest[0] == "$":
                out.append("$")
                advance = 1
            elif rest[0] == "(":
                close = rest.find(")", 1)
                if close == -1:
                    out.append("$(")
                    advance = 1
                else:
                    name = rest[1:close]
                    out.append(env.get(name, f"$({name})"))
                    advance = close + 1
            else:
                out.append("$" + rest[0])
                advance = 1
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    return "".join(out) + text[checkpoint:]


def nest(flat: dict[str, str]) -> dict[str, Any]:
    """``{"a.b.c": v}`` → ``{"a": {"b": {"c": v}}}`` (Argo's environment for expressions)."""
    root: dict[str, Any] = {}
    for key, value in flat.items():
        node = root
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return root


def substitute(text: str, scope: dict[str, str], strict: bool) -> str:
    """One substitution pass over ``text``; substituted values are not rescanned here."""

    def replace(m: re.Match[str]) -> str:
        tag = m.group(1).strip()
        if tag.startswith("="):
            try:
                value = evaluate(tag[1:], nest(scope))
            except ExprError as exc:
                if strict:
                    raise HarnessError(f"cannot evaluate {{{{{tag}}}}}: {exc}") from exc
                return m.group(0)
            if value is None:
                if strict:
                    raise HarnessError(f"{{{{{tag}}}}} evaluated to nil")
                return m.group(0)
            return value if isinstance(value, str) else json.dumps(value)
        if tag in scope:
            return scope[tag]
        if strict:
            raise HarnessError(f"failed to resolve {{{{{tag}}}}}")
        return m.group(0)

    return _TAG.sub(replace, text)


def walk(value: Any, fn: Any) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [walk(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: walk(v, fn) for k, v in value.items()}
    return value


def parse_depends(text: str, status: dict[str, str]) -> tuple[bool, set[str]]:
    """Evaluate a ``depends`` expression; returns (satisfied, referenced task names)."""
    tokens = re.findall(r"\(|\)|&&|\|\||!|[A-Za-z0-9][-A-Za-z0-9_]*(?:\.[A-Za-z]+)?|\S", text)
    names: set[str] = set()
    py: list[str] = []
    for tok in tokens:
        if tok in ("(", ")"):
            py.append(tok)
        elif tok == "&&":
            py.append(" and ")
        elif tok == "||":
            py.append(" or ")
        elif tok == "!":
            py.append(" not ")
        elif re.fullmatch(r"[A-Za-z0-9][-A-Za-z0-9_]*(?:\.[A-Za-z]+)?", tok):
            task, _, result = tok.partition(".")
            names.add(task)
            phase = status.get(task)
            if result:
                if result not in _RESULTS:
                    raise HarnessError(f"unknown task result {tok!r} in depends {text!r}")
                py.append(repr(phase == _RESULTS[result]))
            else:
                py.append(repr(phase in (SUCCEEDED, SKIPPED, "Daemoned")))
        else:
            raise HarnessError(f"cannot parse depends {text!r} at {tok!r}")
    try:
        satisfied = bool(eval("".join(py), {"__builtins__": {}}))
    except SyntaxError as exc:
        raise HarnessError(f"malformed depends {text!r}") from exc
    return satisfied, names
