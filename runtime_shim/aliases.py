"""``metaflow.X`` module paths resolved to flowc's modules, lazily, by one finder.

The table of paths is ``runtime_shim.loader._ALIASES`` (``"metaflow.X": "module"``); this
module turns it into an import hook. ``install()`` puts :class:`MetaflowAliasFinder` first
on ``sys.meta_path``, so a flow run by flowc uses flowc's modules even where Metaflow is
installed. For a name ``metaflow...`` the finder answers, in order:

* a registered path: the target module itself (``sys.modules`` then holds the same
  object under both names, so ``metaflow.exception.MetaflowException`` *is*
  ``runtime_shim.exceptions.MetaflowException``);
* a path promoted by a ``metaflow_extensions`` package (``runtime_shim.extensions``),
  or a module below one of them (``metaflow.plugins.frameworks.pytorch``);
* a prefix of a registered path (``metaflow.plugins`` for ``metaflow.plugins.cards...``)
  that has no module of its own: an empty package, so the import can continue;
* anything else: ``ModuleNotFoundError`` naming flowc and the module, instead of a
  real Metaflow's module or a bare "No module named".

A target that has registered paths below it gets a ``__path__`` (making it a package to
the import system); nothing else about it changes.
"""

from __future__ import annotations

import importlib
import sys
import types
from functools import lru_cache

# Imported here, not when an import is being resolved: the finder runs for every import.
from runtime_shim.extensions import promoted_modules
from runtime_shim.loader import _ALIASES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec

ROOT = "metaflow"


def registered_modules(search_path: list[str] | None = None) -> dict[str, str]:
    """Every ``metaflow...`` path flowc provides, with the module that provides it.

    The core table plus the paths ``metaflow_extensions`` packages on ``search_path``
    (default ``sys.path``) promote; the checker (``flowc check``) and the finder both
    read this.
    """
    table = dict(_ALIASES)
    for alias, target in promoted_modules(search_path).items():
        # The extension's module replaces flowc's and everything below it; as in
        # Metaflow, the replaced modules stay importable under ``<path>._orig``.
        for replaced in [k for k in table if k == alias or k.startswith(alias + ".")]:
            table[alias + "._orig" + replaced[len(alias) :]] = table.pop(replaced)
        table[alias] = target
    return table


def package_paths(table: dict[str, str]) -> frozenset[str]:
    """The registered paths and their prefixes that have registered paths below them."""
    found: set[str] = set()
    for alias in table:
        parts = alias.split(".")
        found.update(".".join(parts[:n]) for n in range(1, len(parts)))
    return frozenset(found)


def resolve(name: str, table: dict[str, str]) -> str | None:
    """The module that provides ``name``, or None for a package without a module.

    A name below a registered path maps the rest of its path onto the target
    (``metaflow.plugins.frameworks._orig.x`` -> ``<flowc's frameworks>.x``). Raises
    ``ModuleNotFoundError`` when flowc does not provide ``name``.
    """
    if name in table:
        return table[name]
    if name in package_paths(table):
        return None
    parts = name.split(".")
    for n in range(len(parts) - 1, 1, -1):
        prefix = ".".join(parts[:n])
        if prefix in table:
            return ".".join([table[prefix], *parts[n:]])
    raise ModuleNotFoundError(not_provided_message(name), name=name)


def not_provided_message(name: str) -> str:
    return (
        f"No module named {name!r}: flowc runs Metaflow flows without Metaflow and does "
        "not provide this module (the modules it provides are listed in "
        "docs/metaflow-imports.md)"
    )


class _AliasLoader:
    """Hands over an already imported module (or an empty package) as the alias."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.own_spec = getattr(module, "__spec__", None)

    def create_module(self, spec: ModuleSpec) -> types.ModuleType:
        return self.module

    def exec_module(self, module: types.ModuleType) -> None:
        # The import system stamped the alias's spec on the module; the module keeps
        # its own (``python -m``, pickling and reloads go by it).
        if self.own_spec is not None:
            module.__spec__ = self.own_spec


def _alias_of(name: str) -> str | None:
    """The ``metaflow`` path ``name`` stands for, or None for an unrelated module.

    Besides ``metaflow...`` itself: ``from metaflow.plugins import cards`` asks the
    import system for ``<real name of metaflow.plugins>.cards``; when that is not the
    module the registered ``metaflow.plugins.cards`` resolves to, it stands for the alias.
    """
    if name == ROOT or name.startswith(ROOT + "."):
        return name
    parent, _, child = name.rpartition(".")
    table = _table(tuple(sys.path))
    for alias in _aliases_of_target(table).get(parent, ()):
        candidate = f"{alias}.{child}"
        if candidate in table and table[candidate] != name:
            return candidate
    return None


@lru_cache(maxsize=8)
def _table(search_path: tuple[str, ...]) -> dict[str, str]:
    return registered_modules(list(search_path))


@lru_cache(maxsize=8)
def _aliases_of_target_cached(items: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for alias, target in items:
        found.setdefault(target, []).append(alias)
    return found


def _aliases_of_target(table: dict[str, str]) -> dict[str, list[str]]:
    return _aliases_of_target_cached(tuple(table.items()))


class MetaflowAliasFinder:
    """The ``sys.meta_path`` entry that resolves every ``metaflow...`` import."""

    @classmethod
    def find_spec(
        cls, name: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None
    ) -> ModuleSpec | None:
        alias = _alias_of(name)
        if alias is None:
            return None
        if alias != name:
            try:
                return _spec(name, importlib.import_module(alias))
            except ModuleNotFoundError as exc:
                raise ModuleNotFoundError(str(exc), name=name) from None
        table = _table(tuple(sys.path))
        provider = resolve(name, table)
        if provider is None:
            module = types.ModuleType(name, f"Package {name} (provided by flowc)")
        else:
            module = importlib.import_module(provider)
        if name in package_paths(table) and not hasattr(module, "__path__"):
            module.__path__ = []
        return _spec(name, module)


def _spec(name: str, module: types.ModuleType) -> ModuleSpec:
    from importlib.machinery import ModuleSpec

    spec = ModuleSpec(name, _AliasLoader(module))  # type: ignore[arg-type]
    if hasattr(module, "__path__"):
        spec.submodule_search_locations = list(module.__path__)
    return spec


def install() -> None:
    """Resolve ``metaflow...`` imports to flowc's modules from now on (idempotent)."""
    if MetaflowAliasFinder not in sys.meta_path:
        sys.meta_path.insert(0, MetaflowAliasFinder)
    existing = sys.modules.get(ROOT)
    if existing is None or not getattr(existing, "_flowc", False):
        # A real Metaflow imported earlier (or the fallback's placeholder) is replaced,
        # together with its submodules, so no module mixes the two.
        for name in [n for n in sys.modules if n == ROOT or n.startswith(ROOT + ".")]:
            del sys.modules[name]
        importlib.import_module(ROOT)
