"""The card errors, named and worded as Metaflow's (``metaflow.plugins.cards.exception``).

Tools recognise a missing card by ``CardNotPresentException.headline`` on stderr, so the
headlines are Metaflow's exact words.
"""

from __future__ import annotations

import re
import traceback

from runtime_shim.exceptions import MetaflowException

__all__ = [
    "CARD_ID_PATTERN",
    "TYPE_CHECK_REGEX",
    "CardClassFoundException",
    "CardNotPresentException",
    "ComponentOverwriteNotSupportedException",
    "IncorrectArgumentException",
    "IncorrectCardArgsException",
    "IncorrectPathspecException",
    "TaskNotFoundException",
    "TypeRequiredException",
    "UnrenderableCardException",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

TYPE_CHECK_REGEX = "^[a-zA-Z0-9_]+$"
CARD_ID_PATTERN = re.compile(TYPE_CHECK_REGEX)


class CardClassFoundException(MetaflowException):
    headline = "MetaflowCard not found"

    def __init__(self, card_name: str | None) -> None:
        super().__init__(
            f"MetaflowCard named {card_name} not found. Check the `type` attribute in @card"
        )


class TypeRequiredException(MetaflowException):
    headline = "Card type missing exception"

    def __init__(self) -> None:
        super().__init__("if IDENTIFIER is a pathspec than --type is required")


class CardNotPresentException(MetaflowException):
    headline = "Card not found in datastore"

    def __init__(
        self,
        pathspec: str,
        card_type: str | None = None,
        card_hash: str | None = None,
        card_id: str | None = None,
    ) -> None:
        # The most specific filter names the message, in Metaflow's order of precedence.
        message = f"Card not found for pathspec {pathspec}"
        if card_id is not None:
            message = f"Card with id '{card_id}' not found for pathspec {pathspec}"
        if card_type is not None:
            message = f"Card with type '{card_type}' not found for pathspec {pathspec}"
        if card_hash is not None:
            message = (
                f"Card with hash '{card_hash}' not found for pathspec {pathspec}. When using "
                "`--hash` always ensure you have full hash or first five characters of the hash."
            )
        super().__init__(message)


class TaskNotFoundException(MetaflowException):
    headline = "Cannot resolve task for pathspec"

    def __init__(self, pathspec_query: str, resolved_from: str, run_id: str | None = None):
        message = "Cannot resolve task to find card."
        if resolved_from == "task_pathspec":
            message = f"Task pathspec {pathspec_query} not found."
        elif resolved_from == "step_pathspec":
            message = f"Step pathspec {pathspec_query} not found."
        elif resolved_from == "stepname":
            message = f"Step {pathspec_query} not found"
            if run_id is not None:
                message = f"Step {pathspec_query} not found for Run('{run_id}')."
        super().__init__(message)


class IncorrectCardArgsException(MetaflowException):
    headline = "Incorrect arguments to @card decorator"

    def __init__(self, card_type: str, args: Any) -> None:
        super().__init__(f"Card of type {card_type} cannot support arguments {args}")


class UnrenderableCardException(MetaflowException):
    headline = "Unable to render @card"

    def __init__(self, card_type: str, args: Any) -> None:
        super().__init__(
            f"Card of type {card_type} is unable to be rendered with arguments {args}.\n"
            f"Stack trace :  {traceback.format_exc()}"
        )


class IncorrectArgumentException(MetaflowException):
    headline = "`get_cards` function requires a `Task` object or pathspec as an argument"

    def __init__(self, obj_type: Any) -> None:
        super().__init__(
            "`get_cards` function requires a `Task` object or pathspec as an argument. "
            f"`task` argument cannot be of type {obj_type}."
        )


class IncorrectPathspecException(MetaflowException):
    headline = "Pathspec is required of form `flowname/runid/stepname/taskid`"

    def __init__(self, pathspec: str) -> None:
        super().__init__(
            f"Pathspec {pathspec} is invalid. Pathspec is required of form "
            "`flowname/runid/stepname/taskid`"
        )


class ComponentOverwriteNotSupportedException(MetaflowException):
    headline = "Component overwrite is not supported"

    def __init__(self, component_id: str, card_id: str | None, card_type: str | None):
        id_str = f"id='{card_id}'" if card_id is not None else ""
        super().__init__(
            f"Component with id {component_id} already exists in the "
            f"@card(type='{card_type}', {id_str}). \nInstead of calling "
            f"`current.card.components[ID] = MyComponent`. You can overwrite the entire "
            "component Array by calling `current.card.components = [MyComponent]`"
        )
