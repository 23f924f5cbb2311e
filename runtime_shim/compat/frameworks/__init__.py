"""``metaflow.plugins.frameworks``: decorators that set up distributed training frameworks."""

from __future__ import annotations

__all__: list[str] = []
