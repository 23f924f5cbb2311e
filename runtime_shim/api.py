"""The user API (Metaflow-compatible): ``from flowc import FlowSpec, step, Parameter, ...``.

This module only re-exports; it is cheap to import because it is imported by every task.
"""

from __future__ import annotations

from runtime_shim.current import current
from runtime_shim.decorators import (
    batch,
    card,
    catch,
    conda,
    conda_base,
    environment,
    kubernetes,
    parallel,
    project,
    pypi,
    pypi_base,
    resources,
    retry,
    schedule,
    secrets,
    step,
    timeout,
    trigger,
    trigger_on_finish,
)
from runtime_shim.flowspec import FlowSpec, Inputs
from runtime_shim.parameters import IncludeFile, JSONType, Parameter


def namespace(ns: str | None) -> str | None:
    """Accepted for compatibility; flowc's client reads every run of the datastore."""
    return ns


def get_namespace() -> str | None:
    return None


def default_namespace() -> str | None:
    return None


__all__ = [
    "FlowSpec",
    "IncludeFile",
    "Inputs",
    "JSONType",
    "Parameter",
    "batch",
    "card",
    "catch",
    "conda",
    "conda_base",
    "current",
    "default_namespace",
    "environment",
    "get_namespace",
    "kubernetes",
    "namespace",
    "parallel",
    "project",
    "pypi",
    "pypi_base",
    "resources",
    "retry",
    "schedule",
    "secrets",
    "step",
    "timeout",
    "trigger",
    "trigger_on_finish",
]
