"""What ``import metaflow`` resolves to when flowc runs a flow.

The user API comes from :mod:`runtime_shim.api`; the client names (``Flow``, ``Run``, ...)
load from ``flowc.client`` on first use, and the names ``metaflow_extensions`` packages add
(top-level values, decorators) from the extension on first use.
"""

from __future__ import annotations

import importlib

from runtime_shim.api import *  # noqa: F403
from runtime_shim.api import __all__ as _api_all
from runtime_shim.exceptions import MetaflowException

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_flowc = True
_CLIENT = ("Flow", "Run", "Step", "Task", "DataArtifact", "Metaflow")
_RUNNER = ("Runner", "NBRunner")
_DEPLOYER = ("Deployer", "DeployedFlow", "TriggeredRun")

__all__ = [*_api_all, "MetaflowException", *_CLIENT, *_RUNNER, *_DEPLOYER]


def __getattr__(name: str) -> Any:
    if name in _CLIENT:
        return getattr(importlib.import_module("flowc.client"), name)
    if name in _RUNNER:
        return getattr(importlib.import_module("flowc.flowcli.runner"), name)
    if name in _DEPLOYER:
        return getattr(importlib.import_module("flowc.deploy.deployer"), name)
    from runtime_shim.extensions import extension_attribute

    return extension_attribute("metaflow", name)
