"""``metaflow.integrations``: Metaflow's shortcuts to integration objects."""

from __future__ import annotations

from runtime_shim.argo_events import ArgoEvent

__all__ = ["ArgoEvent"]
