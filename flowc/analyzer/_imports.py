"""``import metaflow...`` lines checked against what flowc provides (FC401, FC402).

A flow run by flowc imports flowc's modules under Metaflow's names
(``runtime_shim.aliases``). A module path or a name flowc does not provide would be an
``ImportError`` when the task imports the flow, so ``flowc check`` reports it at the
import line instead. What is accepted is derived from the runtime's own table
(``MetaflowSurface``): the registered paths, the ``__all__`` of each of flowc's modules,
and what ``metaflow_extensions`` packages on the search path declare, read without
importing them. Imports under ``if TYPE_CHECKING:`` and inside a ``try`` that catches
``ImportError`` are not checked: the flow has said it copes with their absence.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import importlib.util
import os
import sys
from dataclasses import dataclass, field

from flowc import codes
from flowc.analyzer._decorators import span_of
from flowc.analyzer._names import ApiNames
from flowc.diagnostics import Diagnostic, diag
from runtime_shim.aliases import ROOT, package_paths, registered_modules, resolve
from runtime_shim.extension_packages import (
    EXT_PKG,
    ModuleNames,
    discover,
    module_file,
    public_names,
)
from runtime_shim.extensions import extension_names

_GUARDING_EXCEPTIONS = frozenset(
    {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
)


def is_metaflow_path(module: str) -> bool:
    return module == ROOT or module.startswith(ROOT + ".")


@dataclass
class MetaflowSurface:
    """Every ``metaflow`` module path and name flowc provides for one search path."""

    search_path: list[str]
    table: dict[str, str] = field(default_factory=dict)
    packages: frozenset[str] = frozenset()
    _names: dict[str, ModuleNames] = field(default_factory=dict)

    @classmethod
    def load(cls, search_path: list[str] | None = None) -> MetaflowSurface:
        path = list(sys.path if search_path is None else search_path)
        table = registered_modules(path)
        return cls(path, table, package_paths(table))

    def provider(self, module: str) -> str | None:
        """The module that provides ``module``; None for a package without a module.

        Raises ``ModuleNotFoundError`` when flowc does not provide ``module``.
        """
        provider = resolve(module, self.table)
        if provider is not None and module not in self.table and not self._exists(provider):
            raise ModuleNotFoundError(module)
        return provider

    def has_module(self, module: str) -> bool:
        try:
            self.provider(module)
        except ModuleNotFoundError:
            return False
        return True

    def names(self, module: str) -> ModuleNames:
        """The names ``from <module> import ...`` may ask for (module must exist)."""
        if module not in self._names:
            provider = self.provider(module)
            found = self._provided_names(provider) if provider else ModuleNames(frozenset())
            extra = extension_names(module, self.search_path)
            children = {p[len(module) + 1 :].split(".")[0] for p in self._below(module)}
            self._names[module] = ModuleNames(
                found.names | extra.names | frozenset(children), found.open or extra.open
            )
        return self._names[module]

    def _below(self, module: str) -> list[str]:
        return [p for p in (*self.table, *self.packages) if p.startswith(module + ".")]

    def _exists(self, provider: str) -> bool:
        if provider.split(".")[0] == EXT_PKG:
            return module_file(provider, self.search_path) is not None
        try:
            return importlib.util.find_spec(provider) is not None
        except ImportError:
            return False

    def _provided_names(self, provider: str) -> ModuleNames:
        if provider.split(".")[0] == EXT_PKG:
            # Extension code is read, never run, by the compiler.
            path = module_file(provider, self.search_path)
            found = public_names(path)
            if path and os.path.basename(path) == "__init__.py":
                directory = os.path.dirname(path)
                subs = {
                    entry[:-3] if entry.endswith(".py") else entry
                    for entry in os.listdir(directory)
                    if not entry.startswith(("_", "."))
                    and (entry.endswith(".py") or os.path.isdir(os.path.join(directory, entry)))
                }
                found = ModuleNames(found.names | frozenset(subs), found.open)
            return found
        module = importlib.import_module(provider)
        exported = getattr(module, "__all__", None)
        if exported is None:
            exported = [n for n in dir(module) if not n.startswith("_") and n.isidentifier()]
        return ModuleNames(frozenset(exported))


def check_imports(file: str, tree: ast.Module) -> list[Diagnostic]:
    """FC401/FC402 for every unguarded ``metaflow`` import in ``tree``.

    The search path for ``metaflow_extensions`` packages is the compiler's ``sys.path``
    (which includes ``PYTHONPATH``) with the flow file's directory first, as when the
    flow runs as a script.
    """
    imports = [node for node in _unguarded(tree.body) if _imports_metaflow(node)]
    if not imports:
        return []
    surface = MetaflowSurface.load(flow_search_path(file))
    out: list[Diagnostic] = []
    for node in imports:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if is_metaflow_path(alias.name) and not surface.has_module(alias.name):
                    out.append(_unprovided_module(file, alias, alias.name, surface))
            continue
        assert isinstance(node, ast.ImportFrom) and node.module is not None
        if not surface.has_module(node.module):
            out.append(_unprovided_module(file, node, node.module, surface))
            continue
        provided = surface.names(node.module)
        for alias in node.names:
            if alias.name != "*" and not provided.provides(alias.name):
                out.append(_unprovided_name(file, alias, node.module, provided))
    return out


def flow_search_path(file: str) -> list[str]:
    """Where a flow's ``metaflow_extensions`` are looked for: its directory, then sys.path."""
    return [os.path.dirname(os.path.abspath(file)), *sys.path]


def extension_decorator(
    names: ApiNames, node: ast.expr, placement: str, file: str
) -> Diagnostic | None:
    """FC403 (or FC210 when misplaced) if ``node`` is an extension's decorator, else None.

    The compiler does not run an extension's decorator: the task does, on every target,
    when it imports the flow (so the package must be importable there), with the
    arguments written in the flow; Metaflow's scheduler-side hooks (``runtime_*``,
    ``package_init``) and what ``step_init`` would change in the graph are not applied.
    """
    name = names.metaflow_name(node)
    declared = discover(flow_search_path(file)).decorator(name) if name else None
    if declared is None:
        return None
    span = span_of(file, node)
    if declared.placement != placement:
        where = "a flow class" if declared.placement == "flow" else "a step method"
        return diag(
            codes.FC210,
            f"@{name} belongs on {where}, not on a {placement}",
            span,
            f"move it to {where}",
        )
    org = declared.module.split(".")[1]
    return diag(
        codes.FC403,
        f"@{name} ({declared.class_name} from the metaflow_extensions package `{org}`) "
        "runs inside the task with its arguments as written",
        span,
        "the package must be importable where the task runs (the image, or PYTHONPATH)",
    )


def _imports_metaflow(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return any(is_metaflow_path(a.name) for a in node.names)
    return (
        isinstance(node, ast.ImportFrom)
        and node.level == 0
        and node.module is not None
        and is_metaflow_path(node.module)
    )


def _unprovided_module(
    file: str, node: ast.AST, module: str, surface: MetaflowSurface
) -> Diagnostic:
    close = difflib.get_close_matches(module, sorted(surface.table), n=1)
    return diag(
        codes.FC401,
        f"flowc does not provide module `{module}`; importing it fails when the flow runs",
        span_of(file, node),
        f"did you mean `{close[0]}`?" if close else _PROVIDED_HINT,
    )


def _unprovided_name(file: str, node: ast.alias, module: str, provided: ModuleNames) -> Diagnostic:
    close = difflib.get_close_matches(node.name, sorted(provided.names), n=1)
    return diag(
        codes.FC402,
        f"`{module}` has no name `{node.name}` under flowc; importing it fails when the flow runs",
        span_of(file, node),
        f"did you mean `{close[0]}`?" if close else _PROVIDED_HINT,
    )


_PROVIDED_HINT = (
    "see the module surface flowc provides (docs/metaflow-imports.md); a name from a "
    "metaflow_extensions package needs that package on PYTHONPATH"
)


def _unguarded(body: list[ast.stmt]) -> list[ast.stmt]:
    """Every statement in ``body`` and nested bodies, except guarded imports' blocks."""
    out: list[ast.stmt] = []
    for node in body:
        out.append(node)
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            out.extend(_unguarded(node.orelse))
        elif isinstance(node, ast.Try) and _catches_import_error(node):
            for handler in node.handlers:
                out.extend(_unguarded(handler.body))
            out.extend(_unguarded(node.orelse) + _unguarded(node.finalbody))
        else:
            for name in ("body", "orelse", "finalbody", "handlers"):
                nested = getattr(node, name, None)
                if isinstance(nested, list):
                    out.extend(_unguarded([n for n in nested if isinstance(n, ast.stmt)]))
                    for handler in (h for h in nested if isinstance(h, ast.ExceptHandler)):
                        out.extend(_unguarded(handler.body))
            for case in getattr(node, "cases", []):
                out.extend(_unguarded(case.body))
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _catches_import_error(node: ast.Try) -> bool:
    for handler in node.handlers:
        if handler.type is None:
            return True
        caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for kind in caught:
            name = kind.id if isinstance(kind, ast.Name) else getattr(kind, "attr", "")
            if name in _GUARDING_EXCEPTIONS:
                return True
    return False
