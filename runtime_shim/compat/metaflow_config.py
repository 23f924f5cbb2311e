"""``metaflow.metaflow_config``: configuration values, each read from ``METAFLOW_<NAME>``.

The values are those of Metaflow's configuration that describe a local run, which is
what flowc's runtime does; values added by ``metaflow_extensions`` packages (their
``config`` modules) are looked up on first use.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def from_conf(name: str, default: Any = None) -> Any:
    """``METAFLOW_<name>`` from the environment, else ``default``."""
    return os.environ.get(f"METAFLOW_{name}", default)


DEFAULT_DATASTORE = from_conf("DEFAULT_DATASTORE", "local")
DEFAULT_ENVIRONMENT = from_conf("DEFAULT_ENVIRONMENT", "local")
DEFAULT_EVENT_LOGGER = from_conf("DEFAULT_EVENT_LOGGER", "nullSidecarLogger")
DEFAULT_METADATA = from_conf("DEFAULT_METADATA", "local")
DEFAULT_MONITOR = from_conf("DEFAULT_MONITOR", "nullSidecarMonitor")
DEFAULT_PACKAGE_SUFFIXES = from_conf("DEFAULT_PACKAGE_SUFFIXES", ".py,.R,.RDS")
DATASTORE_LOCAL_DIR = ".metaflow"
DATASTORE_SYSROOT_LOCAL = from_conf("DATASTORE_SYSROOT_LOCAL")
USER = from_conf("USER")

__all__ = [
    "DATASTORE_LOCAL_DIR",
    "DATASTORE_SYSROOT_LOCAL",
    "DEFAULT_DATASTORE",
    "DEFAULT_ENVIRONMENT",
    "DEFAULT_EVENT_LOGGER",
    "DEFAULT_METADATA",
    "DEFAULT_MONITOR",
    "DEFAULT_PACKAGE_SUFFIXES",
    "USER",
    "from_conf",
]


def __getattr__(name: str) -> Any:
    from runtime_shim.extensions import extension_attribute

    return extension_attribute("metaflow.metaflow_config", name)
