"""Which local names refer to the flow API, however the flow imported it.

A flow may write ``from metaflow import FlowSpec, step``, ``from flowc import step as s``,
``import metaflow as mf`` (then ``@mf.step``), or ``from metaflow import *``. The analyzer
never imports anything; it reads the import statements and maps local names to the API's
canonical names.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from flowc.analyzer._user_decorators import user_decorator_kinds
from runtime_shim.api_names import USER_API_NAMES

API_MODULES = frozenset({"metaflow", "flowc", "runtime_shim.api", "runtime_shim"})

# The user API's names, as the runtime exports them (one list for both).
API_NAMES = frozenset(USER_API_NAMES)


@dataclass
class ApiNames:
    """Local name -> canonical API name, and the local aliases of API modules."""

    names: dict[str, str] = field(default_factory=dict)
    modules: set[str] = field(default_factory=set)
    # Names imported from other modules (for base classes defined in local modules):
    # local name -> (module, original name, relative level).
    foreign: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    # Mutators and user step decorators the module defines: local name -> API base class.
    user_decorators: dict[str, str] = field(default_factory=dict)
    # Other names imported from ``metaflow`` (an extension's decorators, say):
    # local name -> name in ``metaflow``.
    from_metaflow: dict[str, str] = field(default_factory=dict)
    # Module-level functions a decorator may name (``@exit_hook(on_success=[notify])``):
    # the ``def``s of the flow file and the names it imports from other modules, each with
    # the line that first binds it (a decorator can only use a name bound above it).
    functions: dict[str, int] = field(default_factory=dict)

    def metaflow_name(self, node: ast.expr) -> str | None:
        """The ``metaflow`` name outside the flow API an expression refers to, or None."""
        if isinstance(node, ast.Call):
            node = node.func
        if isinstance(node, ast.Name):
            return self.from_metaflow.get(node.id)
        if isinstance(node, ast.Attribute) and _dotted(node.value) in (self.modules | {"metaflow"}):
            return node.attr
        return None

    def canonical(self, node: ast.expr) -> str | None:
        """The API name an expression refers to (``step``, ``mf.step``), or None."""
        if isinstance(node, ast.Call):
            node = node.func
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return self.names[node.id]
            if node.id in self.foreign:
                return None
            # Unimported bare API names are accepted (the flow may rely on a star import
            # of another module); the run itself would fail, not the compile.
            return node.id if node.id in API_NAMES else None
        if isinstance(node, ast.Attribute) and node.attr in API_NAMES:
            base = _dotted(node.value)
            if base is not None and (base in self.modules or base in API_MODULES):
                return node.attr
        return None


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def collect_api_names(module: ast.Module) -> ApiNames:
    """Read the module's top-level imports (also those nested in if/try blocks)."""
    result = ApiNames()
    for node in _top_level_statements(module.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in API_MODULES:
                    result.modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level == 0 and (mod in API_MODULES or mod.startswith("metaflow.")):
                for alias in node.names:
                    # ``import *`` brings every API name under its own name, which
                    # ``canonical`` accepts as it is.
                    if alias.name != "*" and alias.name in API_NAMES:
                        result.names[alias.asname or alias.name] = alias.name
                    elif alias.name != "*" and mod == "metaflow":
                        result.from_metaflow[alias.asname or alias.name] = alias.name
            else:
                for alias in node.names:
                    if alias.name != "*":
                        result.foreign[alias.asname or alias.name] = (mod, alias.name, node.level)
    result.user_decorators = user_decorator_kinds(module, result)
    for node in _top_level_statements(module.body):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            result.functions.setdefault(node.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (alias.asname or alias.name) in result.foreign:
                    result.functions.setdefault(alias.asname or alias.name, node.lineno)
    return result


def _top_level_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for node in body:
        out.append(node)
        if isinstance(node, ast.If):
            out.extend(_top_level_statements(node.body))
            out.extend(_top_level_statements(node.orelse))
        elif isinstance(node, ast.Try):
            out.extend(_top_level_statements(node.body))
            for handler in node.handlers:
                out.extend(_top_level_statements(handler.body))
    return out
