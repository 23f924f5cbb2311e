"""Finding the flow class and its base classes, across the file and local modules.

A base class may live in the same file or in a module next to the flow file
(``from base_flows import BaseFlow``, ``from .common import Mixin``); such modules are
parsed, never imported. Parsed modules are cached per analysis.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flowc.analyzer._names import ApiNames, collect_api_names

if TYPE_CHECKING:
    from flowc.analyzer._config_scope import ConfigScope


@dataclass
class ParsedModule:
    path: str
    source: str
    tree: ast.Module
    names: ApiNames
    classes: dict[str, ast.ClassDef]
    config_scope: ConfigScope | None = None
    """The flow's resolved configs, for decorator arguments and parameter defaults."""


@dataclass
class ClassRef:
    """A class definition and the module it was written in."""

    node: ast.ClassDef
    module: ParsedModule

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def key(self) -> tuple[str, str]:
        return (self.module.path, self.node.name)


@dataclass
class FlowClass:
    ref: ClassRef
    mro: list[ClassRef]
    unresolved_bases: list[tuple[ClassRef, ast.expr]] = field(default_factory=list)


def parse_module(path: str, source: str) -> ParsedModule:
    """Parse ``source``; raises SyntaxError (the caller turns it into a diagnostic)."""
    tree = ast.parse(source, filename=path)
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    return ParsedModule(path, source, tree, collect_api_names(tree), classes)


class ModuleLoader:
    """Parses local modules on demand; a module that cannot be read is simply absent."""

    def __init__(self, root: ParsedModule) -> None:
        self._cache: dict[str, ParsedModule | None] = {os.path.abspath(root.path): root}

    def load(self, path: str) -> ParsedModule | None:
        key = os.path.abspath(path)
        if key not in self._cache:
            self._cache[key] = None  # guards against import cycles
            try:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
                self._cache[key] = parse_module(path, text)
            except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
                self._cache[key] = None
        return self._cache[key]

    def resolve_foreign(self, module: ParsedModule, name: str) -> ClassRef | None:
        spec = module.names.foreign.get(name)
        if spec is None:
            return None
        mod_name, original, level = spec
        parts = mod_name.split(".") if mod_name else []
        for base_dir in _search_roots(module.path, level):
            for candidate in (
                os.path.join(base_dir, *parts) + ".py",
                os.path.join(base_dir, *parts, "__init__.py"),
            ):
                if os.path.isfile(candidate):
                    target = self.load(candidate)
                    if target is not None and original in target.classes:
                        return ClassRef(target.classes[original], target)
        return None


def _search_roots(path: str, level: int) -> list[str]:
    """Directories an import of ``level`` dots in ``path`` is resolved from.

    A relative import starts at the module's package (one directory up per extra dot). An
    absolute import is tried next to the file, then from each enclosing package's parent:
    the places it would be found when the flow runs as a script or as ``python -m pkg.flow``.
    """
    here = os.path.dirname(os.path.abspath(path))
    if level > 0:
        for _ in range(level - 1):
            here = os.path.dirname(here)
        return [here]
    roots = [here]
    while os.path.isfile(os.path.join(here, "__init__.py")):
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
        roots.append(here)
    return roots


def _resolve_base(loader: ModuleLoader, ref: ClassRef, base: ast.expr) -> ClassRef | str | None:
    """A base as a ClassRef, the string "FlowSpec" for the API root, or None."""
    module = ref.module
    if module.names.canonical(base) == "FlowSpec":
        return "FlowSpec"
    if isinstance(base, ast.Name):
        if base.id in module.classes and module.classes[base.id] is not ref.node:
            return ClassRef(module.classes[base.id], module)
        return loader.resolve_foreign(module, base.id)
    return None


def find_flow_classes(root: ParsedModule) -> tuple[list[FlowClass], ModuleLoader]:
    """Every FlowSpec subclass defined at the top level of ``root``, in source order."""
    loader = ModuleLoader(root)
    flows: list[FlowClass] = []
    for node in root.tree.body:
        if isinstance(node, ast.ClassDef):
            flow = _linearize(loader, ClassRef(node, root))
            if flow is not None:
                flows.append(flow)
    return flows, loader


def _linearize(loader: ModuleLoader, ref: ClassRef) -> FlowClass | None:
    """Depth-first, left-to-right method resolution order, each class once.

    Returns None when no base chain reaches FlowSpec (the class is not a flow).
    """
    order: list[ClassRef] = []
    seen: set[tuple[str, str]] = set()
    unresolved: list[tuple[ClassRef, ast.expr]] = []
    reaches_flowspec = False

    def visit(current: ClassRef) -> None:
        nonlocal reaches_flowspec
        if current.key in seen:
            return
        seen.add(current.key)
        order.append(current)
        for base in current.node.bases:
            resolved = _resolve_base(loader, current, base)
            if resolved == "FlowSpec":
                reaches_flowspec = True
            elif isinstance(resolved, ClassRef):
                visit(resolved)
            elif not (isinstance(base, ast.Name) and base.id == "object"):
                unresolved.append((current, base))

    visit(ref)
    if not reaches_flowspec:
        return None
    return FlowClass(ref, order, unresolved)


def main_flow_name(root: ParsedModule) -> str | None:
    """The class instantiated under ``if __name__ == "__main__":``, if any."""
    for node in root.tree.body:
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            for sub in ast.walk(node):
                if (
                    isinstance(sub, ast.Call)
                    and isinstance(sub.func, ast.Name)
                    and sub.func.id in root.classes
                ):
                    return sub.func.id
    return None
