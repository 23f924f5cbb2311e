"""How wide a foreach is, when the source says so.

A foreach's width is a run-time value (the length of the list the split step assigns),
but engine limits depend on it: Argo's Workflow object grows with every child's node
status, Airflow refuses to map more than ``max_map_length`` items, Step Functions counts
history events. When the split step assigns the foreach's artifact once, with an
expression whose length is plain from the source, the compiler knows the width:

- a list or tuple display without ``*``: ``["a", "b"]``;
- ``range(...)`` of integers: literals, or parameters with an integer default
  (``range(self.width)``: the width of a run that keeps the default);
- ``list(X)``, ``tuple(X)``, ``sorted(X)``, ``[f(x) for x in X]`` of one of these;
- ``[item] * N`` of a display and an integer.

Anything else (a function call, a file read, a parameter without an integer default) is
``None``: known only when the split has run. A target's ``foreach_width`` option then
gives the width to check against (``backends/fanout.py``).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

_SEQUENCE_OF = ("list", "tuple", "sorted")


def assigned_value(body: list[ast.AST], attribute: str) -> ast.expr | None:
    """The one expression assigned to ``self.<attribute>`` in a step body, or None when
    there is none, several, or one that is not a plain ``self.<attribute> = value``
    (augmented, annotated, unpacked, a loop variable)."""
    plain: list[ast.expr] = []
    other = False
    for node in body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if _is_self_attribute(target, attribute):
                    plain.append(node.value)
                else:
                    other = other or _sets(target, attribute)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
            other = other or _sets(node.target, attribute)
    return plain[0] if len(plain) == 1 and not other else None


def _sets(target: ast.expr, attribute: str) -> bool:
    """Whether an assignment target (a name, a tuple to unpack into...) sets the attribute."""
    stack = [target]
    while stack:
        node = stack.pop()
        if _is_self_attribute(node, attribute):
            return True
        if isinstance(node, (ast.Tuple, ast.List)):
            stack.extend(node.elts)
        elif isinstance(node, ast.Starred):
            stack.append(node.value)
    return False


def static_width(value: ast.expr | None, int_defaults: Mapping[str, int]) -> int | None:
    """The length of ``value`` when the source fixes it (see the module docstring);
    ``int_defaults`` maps parameter attributes to their integer defaults."""
    if value is None:
        return None
    if isinstance(value, (ast.List, ast.Tuple)):
        if any(isinstance(e, ast.Starred) for e in value.elts):
            return None
        return len(value.elts)
    if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
        if len(value.generators) != 1:
            return None
        generator = value.generators[0]
        if generator.ifs or generator.is_async:
            return None
        return static_width(generator.iter, int_defaults)
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult):
        for items, times in ((value.left, value.right), (value.right, value.left)):
            length, count = static_width(items, int_defaults), _integer(times, int_defaults)
            if (
                isinstance(items, (ast.List, ast.Tuple))
                and length is not None
                and count is not None
            ):
                return length * max(count, 0)
        return None
    if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Name) or value.keywords:
        return None
    name = value.func.id
    if name in _SEQUENCE_OF and len(value.args) == 1:
        return static_width(value.args[0], int_defaults)
    if name == "range" and 1 <= len(value.args) <= 3:
        bounds = [_integer(a, int_defaults) for a in value.args]
        if any(b is None for b in bounds) or (len(bounds) == 3 and bounds[2] == 0):
            return None
        return len(range(*(b for b in bounds if b is not None)))
    return None


def _integer(node: ast.expr, int_defaults: Mapping[str, int]) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _integer(node.operand, int_defaults)
        return -inner if inner is not None else None
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    ):
        return int_defaults.get(node.attr)
    return None


def _is_self_attribute(node: ast.expr, attribute: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == attribute
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )
