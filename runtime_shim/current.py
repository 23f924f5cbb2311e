"""``current``: what a running task knows about itself (Metaflow's ``current``)."""

from __future__ import annotations

from runtime_shim.cards.collector import CardComponentCollector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Current:
    """Filled by the shim before the step body runs; empty outside a task."""

    def __init__(self) -> None:
        self.flow_name: str | None = None
        self.run_id: str | None = None
        self.step_name: str | None = None
        self.task_id: str | None = None
        self.retry_count: int = 0
        self.origin_run_id: str | None = None
        self.namespace: str | None = None
        self.username: str | None = None
        self.is_running_flow: bool = False
        self.is_production: bool = False
        self.tags: frozenset[str] = frozenset()
        self.index_path: str = ""
        self.iteration: int = 0
        self.parameter_names: tuple[str, ...] = ()
        self.card = CardComponentCollector()
        self.parallel: Any = None
        self.is_parallel: bool = False
        self.project_name: str | None = None
        self.branch_name: str | None = None

    @property
    def pathspec(self) -> str | None:
        if not self.run_id:
            return None
        return f"{self.flow_name}/{self.run_id}/{self.step_name}/{self.task_id}"

    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name, default)

    def _update_env(self, env: dict[str, Any]) -> None:
        """Add names to ``current`` (what a flow decorator's ``flow_init`` publishes)."""
        self._set(**env)

    def _set(self, **values: Any) -> None:
        for key, value in values.items():
            setattr(self, key, value)


current = Current()
