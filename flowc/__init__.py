"""flowc: compile Metaflow-style flows to Argo, Airflow and Step Functions, and run them.

The user API (``FlowSpec``, ``step``, ``Parameter``, decorators, ``current``) is the
runtime shim's, re-exported here; the client API (``Flow``, ``Run``) reads the datastore.
Both are loaded on first use so the compiler and the CLI start fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from runtime_shim.api_names import USER_API_NAMES as _USER_API

_CLIENT_API = ("Flow", "Run", "Step", "Task", "DataArtifact")

__all__ = [*_USER_API, *_CLIENT_API]


def __getattr__(name: str) -> Any:
    if name in _USER_API:
        return getattr(importlib.import_module("runtime_shim.api"), name)
    if name in _CLIENT_API:
        return getattr(importlib.import_module("flowc.client"), name)
    raise AttributeError(f"module 'flowc' has no attribute {name!r}")
