"""``@secrets`` sources: which a Kubernetes pod can receive, and why the others cannot.

A source is a string or a ``{"type": ..., "id": ...}`` mapping. Metaflow names the secrets
backend in a string with a prefix (``aws-secrets-manager.db-creds``; ``:`` is accepted
too); a source without one uses the platform's default backend, which on a Kubernetes
target is a Kubernetes Secret in the pod's namespace, exposed with ``envFrom``. Secrets
held elsewhere need a fetch inside the task, which the shim does not do yet, so they are
reported, never passed on as a mangled Secret name.
"""

from __future__ import annotations

import re
from typing import Any

KUBERNETES = "kubernetes"
# Secrets backends Metaflow knows by name; a prefix naming one of them is a backend type.
BACKEND_TYPES = ("aws-secrets-manager", "gcp-secret-manager", "az-key-vault", "inline")
_SECRET_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


def parse_source(source: str | dict[str, Any]) -> tuple[str, str]:
    """``(backend type, secret id)`` of one source."""
    if isinstance(source, dict):
        return str(source.get("type") or KUBERNETES), str(source.get("id", ""))
    for separator in (":", "."):
        kind, found, ident = source.partition(separator)
        if found and (separator == ":" or kind in BACKEND_TYPES):
            return kind, ident
    return KUBERNETES, source


def kubernetes_secret_names(
    sources: list[str | dict[str, Any]], where: str
) -> tuple[list[str], list[str]]:
    """The Kubernetes Secret names among ``sources``, and a problem for every other one."""
    names: list[str] = []
    problems: list[str] = []
    for source in sources:
        kind, ident = parse_source(source)
        if kind != KUBERNETES:
            problems.append(
                f"secret source {source!r} is held in {kind}, which {where} cannot read "
                "(only Kubernetes Secrets can be exposed to a pod)"
            )
        elif len(ident) > 253 or not _SECRET_NAME.match(ident):
            problems.append(f"secret source {source!r} is not a Kubernetes Secret name")
        elif ident not in names:
            names.append(ident)
    return names, problems
