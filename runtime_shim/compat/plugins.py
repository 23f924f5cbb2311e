"""``metaflow.plugins``: the package of Metaflow's plugins.

Its submodules (``metaflow.plugins.cards...``, ``metaflow.plugins.frameworks``, and the
modules ``metaflow_extensions`` packages promote) are registered paths of their own.
"""

from __future__ import annotations

__all__: list[str] = []
