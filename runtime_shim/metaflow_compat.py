"""What ``import metaflow`` resolves to when flowc runs a flow.

The user API comes from :mod:`runtime_shim.api`; the client names (``Flow``, ``Run``, ...)
load from ``flowc.client`` on first use.
"""

from __future__ import annotations

import importlib
import sys

from runtime_shim.api import *  # noqa: F403
from runtime_shim.api import __all__ as _api_all
from runtime_shim.exceptions import MetaflowException

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_flowc = True
_CLIENT = ("Flow", "Run", "Step", "Task", "DataArtifact", "Metaflow")

__all__ = [*_api_all, "MetaflowException", *_CLIENT]


def __getattr__(name: str) -> Any:
    if name in _CLIENT:
        return getattr(importlib.import_module("flowc.client"), name)
    submodule = sys.modules.get(f"metaflow.{name}")  # an alias: ``import metaflow.client``
    if submodule is not None:
        return submodule
    raise AttributeError(f"module 'metaflow' (flowc) has no attribute {name!r}")
