"""What ``metaflow_extensions`` packages add to ``metaflow``, at run time.

The declarations are read by ``runtime_shim.extension_packages`` (statically, the same
reading the compiler does); this module imports the extension code they point to when a
flow first asks for a name: ``from metaflow import tl_value``, ``from metaflow.exception
import MyError``, ``from metaflow.metaflow_config import MY_VALUE``, ``@my_decorator``.
"""

from __future__ import annotations

import importlib
import types

from runtime_shim.extension_packages import (
    ExtensionPoint,
    ModuleNames,
    discover,
    public_names,
    toplevel_module,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# The ``metaflow`` modules extensions add names to, and the point that adds them.
POINT_OF_MODULE = {
    "metaflow": "toplevel",
    "metaflow.exception": "exceptions",
    "metaflow.metaflow_config": "config",
}


_MISSING = object()


def promoted_modules(search_path: list[str] | None = None) -> dict[str, str]:
    """``metaflow.X`` -> extension module, for every promoted submodule on the path."""
    return dict(discover(search_path).promoted)


def _source_module(point: ExtensionPoint) -> str | None:
    """The module whose globals an extension point adds."""
    return toplevel_module(point) if point.point == "toplevel" else point.module


def extension_names(alias: str, search_path: list[str] | None = None) -> ModuleNames:
    """The names extensions add to module ``alias``, read without importing them."""
    from runtime_shim.extension_packages import module_file

    point_name = POINT_OF_MODULE.get(alias)
    extensions = discover(search_path)
    names: set[str] = set()
    is_open = False
    for point in extensions.at(point_name) if point_name else []:
        source = _source_module(point)
        path = module_file(source, search_path) if source else None
        found = public_names(path, drop_modules=True)
        names.update(found.names)
        is_open = is_open or found.open
    if alias == "metaflow":
        names.update(d.name for d in extensions.decorators)
    return ModuleNames(frozenset(names), is_open)


def extension_attribute(alias: str, name: str) -> Any:
    """The value extensions give ``alias.name``; ``AttributeError`` if none does."""
    point_name = POINT_OF_MODULE.get(alias)
    extensions = discover()
    if not name.startswith("__"):
        for point in extensions.at(point_name) if point_name else []:
            source = _source_module(point)
            if source is None:
                continue
            value = vars(importlib.import_module(source)).get(name, _MISSING)
            if value is not _MISSING and not isinstance(value, types.ModuleType):
                return value
        declared = extensions.decorator(name) if alias == "metaflow" else None
        if declared is not None:
            from runtime_shim.plugin_decorators import decorator_function

            cls = getattr(importlib.import_module(declared.module), declared.class_name)
            return decorator_function(cls, declared.placement)
    raise AttributeError(f"module {alias!r} (flowc) has no attribute {name!r}")
