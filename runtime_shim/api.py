"""The user API (Metaflow-compatible): ``from flowc import FlowSpec, step, Parameter, ...``.

The exported names are ``runtime_shim.api_names.USER_API_NAMES``: the catalogue's
decorators (generated in ``runtime_shim.decorators``) and the names defined or imported
here. This module only re-exports; it is cheap to import because every task imports it.
"""

from __future__ import annotations

from runtime_shim.api_names import DECORATOR_NAMES, USER_API_NAMES
from runtime_shim.configs import Config as Config
from runtime_shim.configs import ConfigValue as ConfigValue
from runtime_shim.configs import config_expr as config_expr
from runtime_shim.current import current as current
from runtime_shim.decorators import decorator_function
from runtime_shim.decorators import step as step
from runtime_shim.flowspec import FlowSpec as FlowSpec
from runtime_shim.flowspec import Inputs as Inputs
from runtime_shim.identity import default_namespace as default_namespace
from runtime_shim.identity import get_namespace as get_namespace
from runtime_shim.identity import namespace as namespace
from runtime_shim.parameters import IncludeFile as IncludeFile
from runtime_shim.parameters import JSONType as JSONType
from runtime_shim.parameters import Parameter as Parameter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def __getattr__(name: str) -> Callable[..., Any]:
    if name in DECORATOR_NAMES:
        return decorator_function(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = list(USER_API_NAMES)
