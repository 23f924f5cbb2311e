"""The names of the user API, declared once.

Every decorator of the catalogue is part of the API; the other names are listed here.
``runtime_shim.api`` exports exactly these, ``flowc`` and the ``metaflow`` fallback
re-export them, and the compiler recognises them in a flow's imports. Standard library
and the catalogue only, so the compiler can read the list without loading the runtime.
"""

from __future__ import annotations

from runtime_shim.catalogue import DECORATORS

# The user API apart from the catalogue's decorators.
NON_DECORATOR_NAMES = (
    "Config",
    "ConfigValue",
    "FlowSpec",
    "IncludeFile",
    "Inputs",
    "JSONType",
    "Parameter",
    "config_expr",
    "current",
    "default_namespace",
    "get_namespace",
    "namespace",
    "step",
)

DECORATOR_NAMES: tuple[str, ...] = tuple(sorted(DECORATORS))

USER_API_NAMES: tuple[str, ...] = tuple(sorted((*NON_DECORATOR_NAMES, *DECORATOR_NAMES)))
