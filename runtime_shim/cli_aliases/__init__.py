"""``metaflow.cli``, ``metaflow.runner`` and the other command-line modules, loaded late.

Each module here stands in for one Metaflow module path and resolves its attributes from
flowc's command line (``flowc.flowcli``) on first use. The alias table installs them for
every task, so they import nothing themselves: a task never pays for click or flowc.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def forwarding(module: str, submodules: dict[str, str] | None = None) -> Callable[[str], Any]:
    """A module ``__getattr__`` that reads attributes from ``module`` (and the names in
    ``submodules`` as the modules they map to)."""

    def __getattr__(name: str) -> Any:
        if submodules and name in submodules:
            return importlib.import_module(submodules[name])
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(importlib.import_module(module), name)

    return __getattr__
