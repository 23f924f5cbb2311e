"""Deploy targets by name; each is imported only when used (boto3, hera and httpx-heavy
clients stay out of ``flowc --help``)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from flowc.deploy._model import DeployError, DeployTarget

# target name (as ``flowc compile --target``) -> "module:class"
TARGETS: dict[str, str] = {
    "airflow": "flowc.deploy.airflow:AirflowTarget",
    "argo": "flowc.deploy.argo:ArgoTarget",
    "stepfunctions": "flowc.deploy.stepfunctions:StepFunctionsTarget",
}


def target_class(name: str) -> type[DeployTarget]:
    """The target class registered under ``name``."""
    try:
        spec = TARGETS[name]
    except KeyError:
        known = ", ".join(sorted(TARGETS))
        raise DeployError(f"unknown deploy target {name!r} (choose one of {known})") from None
    module_name, _, attribute = spec.partition(":")
    cls: type[DeployTarget] = getattr(importlib.import_module(module_name), attribute)
    return cls


def open_target(name: str, options: Mapping[str, Any] | None = None) -> DeployTarget:
    """The target ``name`` connected with credentials from ``options`` and the environment."""
    return target_class(name).from_environment(dict(options or {}))
