"""``import metaflow`` falls back to flowc's runtime when Metaflow is not installed.

Run at interpreter start by ``flowc-metaflow.pth`` (installed next to the packages), so
``python flow.py run`` works for an unmodified Metaflow flow on a machine without
Metaflow. The finder is appended to ``sys.meta_path``: every other finder, a real Metaflow
installation included, is asked first. Start-up pays for one small module and a list
append; nothing else is imported until an ``import metaflow`` finds nothing else.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType


class MetaflowFallbackLoader:
    @staticmethod
    def create_module(spec: ModuleSpec) -> None:
        return None

    @staticmethod
    def exec_module(module: ModuleType) -> None:
        # The import system returns whatever sys.modules holds once this returns, so the
        # alias replaces the placeholder module (one FlowSpec class, not two copies).
        from runtime_shim.loader import install_metaflow_alias

        install_metaflow_alias()


class MetaflowFallbackFinder:
    @staticmethod
    def find_spec(
        name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name != "metaflow":
            return None  # submodules are aliased together with the package
        from importlib.machinery import ModuleSpec

        return ModuleSpec(name, MetaflowFallbackLoader)  # type: ignore[arg-type]


def install() -> None:
    if not any(getattr(f, "__name__", "") == "MetaflowFallbackFinder" for f in sys.meta_path):
        sys.meta_path.append(MetaflowFallbackFinder)


install()
