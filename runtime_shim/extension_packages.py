"""Finding ``metaflow_extensions`` packages and reading what they declare, without importing.

A Metaflow extension is a directory ``metaflow_extensions/<org>/`` on ``sys.path`` with
extension points below it (``toplevel/``, ``config/``, ``exceptions/``, ``plugins/``,
``plugins/cards/``). Each point has one configuration module, ``mfextinit_<name>.py``
(or the point's ``__init__.py``). This module finds them on the file system and reads
their declarations with ``ast``, so the compiler knows an extension's decorators and
names without running its code, and the runtime agrees with it because it reads the same
declarations:

* ``toplevel``: ``toplevel = "module"`` names a module whose public names join ``metaflow``;
* ``config`` / ``exceptions``: the module's public names join ``metaflow.metaflow_config`` /
  ``metaflow.exception``;
* ``plugins``: ``STEP_DECORATORS_DESC`` / ``FLOW_DECORATORS_DESC`` (lists of
  ``("name", ".module.Class")``) add decorators to ``metaflow``, and
  ``__mf_promote_submodules__`` (also in a ``toplevel`` module) makes
  ``metaflow.plugins.<name>`` (``metaflow.<name>``) the extension's module.

Only literal declarations are seen (a list built by code is not); a module whose names
cannot be read statically (``from x import *``, a module ``__getattr__``) is *open*: any
name is accepted from it. Standard library only: the compiler imports this module.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from functools import cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast
    from collections.abc import Iterable

EXT_PKG = "metaflow_extensions"
# Points flowc reads; a more specific point comes first (plugins.cards before plugins).
POINTS = ("plugins.cards", "plugins", "config", "exceptions", "toplevel")


@dataclass(frozen=True)
class ModuleNames:
    """The public names a module file defines; ``open`` when they cannot all be known."""

    names: frozenset[str]
    open: bool = False

    def provides(self, name: str) -> bool:
        return self.open or name in self.names


@dataclass(frozen=True)
class ExtensionDecorator:
    """A decorator an extension declares: its name and the class's module and name."""

    name: str
    module: str
    class_name: str
    placement: str  # "step" or "flow"


@dataclass(frozen=True)
class ExtensionPoint:
    """One extension point of one package: the configuration module and its file."""

    org: str
    point: str
    module: str  # e.g. metaflow_extensions.test_org.plugins.mfextinit_test_org
    path: str

    @property
    def package(self) -> str:
        return f"{EXT_PKG}.{self.org}.{self.point}"


@dataclass(frozen=True)
class Extensions:
    """Every extension package found on a search path, in path order (first one wins)."""

    roots: tuple[str, ...] = ()
    points: tuple[ExtensionPoint, ...] = ()
    decorators: tuple[ExtensionDecorator, ...] = ()
    # ``metaflow.X`` -> ``metaflow_extensions.org...`` for promoted submodules.
    promoted: tuple[tuple[str, str], ...] = field(default=())

    def at(self, point: str) -> list[ExtensionPoint]:
        return [p for p in self.points if p.point == point]

    def decorator(self, name: str) -> ExtensionDecorator | None:
        return next((d for d in self.decorators if d.name == name), None)


def discover(search_path: list[str] | None = None) -> Extensions:
    """The extension packages on ``search_path`` (default ``sys.path``)."""
    entries = tuple(
        os.path.abspath(p or ".") for p in (sys.path if search_path is None else search_path)
    )
    return _discover(entries)


@cache
def _discover(entries: tuple[str, ...]) -> Extensions:
    roots: list[str] = []
    points: list[ExtensionPoint] = []
    seen_orgs: set[str] = set()
    for entry in entries:
        root = os.path.join(entry, EXT_PKG)
        if not os.path.isdir(root) or root in roots:
            continue
        roots.append(root)
        for org in sorted(os.listdir(root)):
            org_dir = os.path.join(root, org)
            if org.startswith(("_", ".")) or org in seen_orgs or not os.path.isdir(org_dir):
                continue
            seen_orgs.add(org)
            points.extend(_points_of(org, org_dir))
    decorators: list[ExtensionDecorator] = []
    promoted: list[tuple[str, str]] = []
    for point in points:
        if point.point == "plugins":
            decorators.extend(_decorators_of(point))
        if point.point in ("plugins", "toplevel"):
            promoted.extend(_promoted_of(point, roots))
    return Extensions(tuple(roots), tuple(points), tuple(decorators), tuple(promoted))


def _points_of(org: str, org_dir: str) -> list[ExtensionPoint]:
    found = []
    for point in POINTS:
        directory = os.path.join(org_dir, *point.split("."))
        if not os.path.isdir(directory):
            continue
        inits = sorted(
            f for f in os.listdir(directory) if f.startswith("mfextinit_") and f.endswith(".py")
        )
        package = f"{EXT_PKG}.{org}.{point}"
        if inits:
            found.append(
                ExtensionPoint(
                    org, point, f"{package}.{inits[0][:-3]}", os.path.join(directory, inits[0])
                )
            )
        elif os.path.isfile(os.path.join(directory, "__init__.py")):
            found.append(
                ExtensionPoint(org, point, package, os.path.join(directory, "__init__.py"))
            )
    return found


@cache
def _parsed(path: str) -> ast.Module | None:
    # ``ast`` loads only when an extension is read: a task without one never pays for it.
    import ast

    try:
        with open(path, encoding="utf-8") as handle:
            return ast.parse(handle.read(), path)
    except (OSError, SyntaxError, ValueError):
        return None


def literal_assignment(path: str, name: str) -> object:
    """The literal value assigned to ``name`` at the top of the file, or None."""
    import ast

    tree = _parsed(path)
    value: object = None
    for node in tree.body if tree else []:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                value = None
    return value


def _decorators_of(point: ExtensionPoint) -> list[ExtensionDecorator]:
    found = []
    for listing, placement in (("STEP_DECORATORS_DESC", "step"), ("FLOW_DECORATORS_DESC", "flow")):
        entries = literal_assignment(point.path, listing)
        for entry in entries if isinstance(entries, (list, tuple)) else []:
            if not (isinstance(entry, (list, tuple)) and len(entry) == 2):
                continue
            name, where = entry
            if not (isinstance(name, str) and isinstance(where, str) and "." in where.lstrip(".")):
                continue
            module, class_name = where.rsplit(".", 1)
            if module.startswith("."):
                module = point.package + module
            found.append(ExtensionDecorator(name, module, class_name, placement))
    return found


def _promoted_of(point: ExtensionPoint, roots: list[str]) -> list[tuple[str, str]]:
    if point.point == "toplevel":
        module = toplevel_module(point)
        path = _module_file_in(roots, module) if module else None
        prefix, base = "metaflow", f"{EXT_PKG}.{point.org}"
    else:
        path, prefix, base = point.path, "metaflow.plugins", point.package
    names = literal_assignment(path, "__mf_promote_submodules__") if path else None
    return [
        (f"{prefix}.{name}", f"{base}.{name}")
        for name in (names if isinstance(names, (list, tuple)) else [])
        if isinstance(name, str)
    ]


def toplevel_module(point: ExtensionPoint) -> str | None:
    """The module a ``toplevel`` point's ``toplevel = "..."`` names, or None."""
    name = literal_assignment(point.path, "toplevel")
    return f"{point.package}.{name}" if isinstance(name, str) and name else None


def module_file(module: str, search_path: list[str] | None = None) -> str | None:
    """The source file of ``metaflow_extensions...`` module ``module``, if it exists."""
    return _module_file_in(discover(search_path).roots, module)


def _module_file_in(roots: Iterable[str], module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != EXT_PKG:
        return None
    for root in roots:
        base = os.path.join(root, *parts[1:])
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate):
                return candidate
        if len(parts) > 2 and os.path.isdir(base):
            return os.path.join(base, "__init__.py")  # a namespace package: no names
    return None


def public_names(path: str | None, drop_modules: bool = False) -> ModuleNames:
    """The names a module file binds at its top level, without dunder names.

    ``drop_modules`` leaves out ``import x`` bindings (Metaflow copies an extension
    module's globals except modules). A file that does not exist binds nothing (it may be
    a namespace package); one that cannot be parsed is open.
    """
    import ast

    if path is None or not os.path.isfile(path):
        return ModuleNames(frozenset())
    tree = _parsed(path)
    if tree is None:
        return ModuleNames(frozenset(), open=True)
    names: set[str] = set()
    is_open = False
    for node in _module_statements(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            is_open = is_open or node.name == "__getattr__"
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import) and not drop_modules:
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            is_open = is_open or any(a.name == "*" for a in node.names)
            names.update(a.asname or a.name for a in node.names if a.name != "*")
    return ModuleNames(frozenset(n for n in names if not n.startswith("__")), is_open)


def _module_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    import ast

    out: list[ast.stmt] = []
    for node in body:
        out.append(node)
        if isinstance(node, ast.If):
            out.extend(_module_statements(node.body) + _module_statements(node.orelse))
        elif isinstance(node, ast.Try):
            out.extend(_module_statements(node.body))
            for handler in node.handlers:
                out.extend(_module_statements(handler.body))
            out.extend(_module_statements(node.orelse) + _module_statements(node.finalbody))
    return out
