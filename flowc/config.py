"""``[tool.flowc]`` in pyproject.toml: project defaults that command-line flags override.

Recognised keys: ``image``, ``namespace``, ``service_account``, ``datastore`` (the
datastore root URL), ``python``, ``code_package``, ``labels`` (a table), and one table per
target (``[tool.flowc.argo]``, ``[tool.flowc.airflow]``, ``[tool.flowc.stepfunctions]``)
whose keys reach the backend as target options.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from typing import Any


class ConfigError(Exception):
    pass


@dataclass
class ProjectConfig:
    path: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def target(self, name: str) -> dict[str, Any]:
        table = self.values.get(name, {})
        return dict(table) if isinstance(table, dict) else {}


def find_pyproject(start: str) -> str | None:
    current = os.path.abspath(start)
    while True:
        candidate = os.path.join(current, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def load_config(start: str = ".") -> ProjectConfig:
    path = find_pyproject(start)
    if path is None:
        return ProjectConfig()
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read [tool.flowc]: {exc}") from exc
    table = data.get("tool", {}).get("flowc", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.flowc] must be a table")
    return ProjectConfig(path, table)
