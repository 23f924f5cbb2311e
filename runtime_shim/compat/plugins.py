"""``metaflow.plugins``: the package of Metaflow's plugins.

Its submodules (``metaflow.plugins.cards...``, ``metaflow.plugins.frameworks``, and the
modules ``metaflow_extensions`` packages promote) are registered paths of their own.
"""

from __future__ import annotations

from runtime_shim.unbounded_foreach import InternalTestUnboundedForeachInput

__all__: list[str] = ["InternalTestUnboundedForeachInput"]
