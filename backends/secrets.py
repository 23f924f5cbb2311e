"""``@secrets`` sources: which a Kubernetes pod can receive, and why the others cannot.

A source is a string or a ``{"type": ..., "id": ...}`` mapping. Metaflow names the secrets
backend in a string with a prefix (``aws-secrets-manager.db-creds``; ``:`` is accepted
too); a source without one uses the platform's default backend, which on a Kubernetes
target is a Kubernetes Secret in the pod's namespace, exposed with ``envFrom``. Secrets
held elsewhere are fetched inside the task (``runtime_shim.secrets``, which reads sources
the same way); what a target cannot pass to a pod is reported, never passed on as a
mangled Secret name.
"""

from __future__ import annotations

import re
from typing import Any

from runtime_shim.secrets import DEFAULT_BACKEND, parse_source

# A source without a backend prefix is the platform's: a Kubernetes Secret on a pod.
KUBERNETES = DEFAULT_BACKEND
_SECRET_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


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
