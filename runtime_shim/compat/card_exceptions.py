"""``metaflow.plugins.cards.exception``: the errors reading a task's cards raises."""

from __future__ import annotations

from runtime_shim.exceptions import MetaflowException

__all__ = ["CardNotPresentException"]


class CardNotPresentException(MetaflowException):
    """No card matches the task (and the type, id or hash asked for)."""

    headline = "Card not found in datastore"

    def __init__(
        self,
        pathspec: str,
        card_type: str | None = None,
        card_hash: str | None = None,
        card_id: str | None = None,
    ) -> None:
        asked = ", ".join(
            f"{label} {value}"
            for label, value in (("type", card_type), ("hash", card_hash), ("id", card_id))
            if value
        )
        msg = f"Card not found for pathspec {pathspec}" + (f" ({asked})" if asked else "")
        super().__init__(msg)
