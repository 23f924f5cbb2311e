"""Which card types exist: the built-in ones, the test cards, and those of extensions.

An extension package ``metaflow_extensions.ORG`` provides card types in subpackages of
``metaflow_extensions.ORG.plugins.cards`` (or in that package itself), each listing its
classes in ``CARDS = [...]``. A module that fails to import, or lists something that is
not a ``MetaflowCard`` subclass, is skipped: one broken card package never hides the
others. The first class registered for a type name wins, built-in types first.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pkgutil
from functools import cache

from runtime_shim.cards.base import MetaflowCard

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType

EXTENSIONS_PACKAGE = "metaflow_extensions"


def extension_card_modules() -> list[ModuleType]:
    """The importable card modules of every installed ``metaflow_extensions`` package."""
    try:
        root = importlib.import_module(EXTENSIONS_PACKAGE)
    except ImportError:
        return []
    found: list[ModuleType] = []
    for org in _organisations(list(getattr(root, "__path__", []))):
        try:
            cards = importlib.import_module(f"{EXTENSIONS_PACKAGE}.{org}.plugins.cards")
        except Exception:
            continue
        if getattr(cards, "__file__", None):
            found.append(cards)  # a regular package lists CARDS itself
            continue
        for sub in sorted(pkgutil.iter_modules(cards.__path__, cards.__name__ + "."), key=_name):
            if not sub.ispkg:
                continue
            try:
                found.append(importlib.import_module(sub.name))
            except Exception:
                continue
    return found


def _organisations(paths: list[str]) -> list[str]:
    """The ORG directories of ``metaflow_extensions`` (namespace packages: no __init__)."""
    names: set[str] = set()
    for path in paths:
        with contextlib.suppress(OSError):
            names.update(
                n for n in os.listdir(path) if n.isidentifier() and os.path.isdir(f"{path}/{n}")
            )
    return sorted(names)


def _name(info: pkgutil.ModuleInfo) -> str:
    return info.name


def extension_cards() -> list[type[MetaflowCard]]:
    """The ``CARDS`` of every extension card module, in discovery order."""
    out: list[type[MetaflowCard]] = []
    for module in extension_card_modules():
        listed = getattr(module, "CARDS", None)
        if not isinstance(listed, list):
            continue
        out.extend(
            c
            for c in listed
            if isinstance(c, type) and issubclass(c, MetaflowCard) and isinstance(c.type, str)
        )
    return out


@cache
def card_types() -> dict[str, type[MetaflowCard]]:
    """Every card type by its name (computed once per process)."""
    from runtime_shim.cards.builtin import BUILTIN_CARDS
    from runtime_shim.cards.test_cards import TEST_CARDS

    types: dict[str, type[MetaflowCard]] = {}
    for cls in (*BUILTIN_CARDS, *TEST_CARDS, *extension_cards()):
        if cls.type is not None:
            types.setdefault(cls.type, cls)
    return types


def find_card_type(name: str | None) -> type[MetaflowCard] | None:
    return card_types().get(name) if name is not None else None
