"""``metaflow.includefile``: ``IncludeFile`` and the ``IncludedFile`` value type."""

from __future__ import annotations

import json

from runtime_shim.parameters import IncludeFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["IncludeFile", "IncludedFile"]


class IncludedFile:
    """A reference to an included file, as Metaflow stores it (``descriptor`` is JSON).

    flowc stores an ``IncludeFile`` parameter's content directly, so a run's artifacts
    are never of this type; it exists so code that tests for it keeps working.
    """

    def __init__(self, descriptor: dict[str, Any]) -> None:
        self._descriptor = descriptor

    @property
    def descriptor(self) -> str:
        return json.dumps(self._descriptor)
