"""Run tags as Metaflow has them: user tags (``run --tag``, mutable) and system tags.

System tags are recorded once, when the run record is created: the user
(``user:NAME``, which makes the run visible in its user's default namespace), the
runtime, the Python version, the flowc version (flowc records its own version, not a
Metaflow one) and, for a flow with ``@project``, ``project:NAME`` and
``project_branch:BRANCH``. Validation follows Metaflow's rules word for word.
"""

from __future__ import annotations

import platform

from runtime_shim.exceptions import MetaflowTaggingError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

MAX_USER_TAG_SET_SIZE = 50
MAX_TAG_SIZE = 500
#: The user tags a deployment gives every run it starts (Metaflow's ``create --tag``):
#: a JSON list in the start task's environment, put on the run record it creates.
RUN_TAGS_VARIABLE = "FLOWC_RUN_TAGS"


def validate_tag(tag: Any) -> None:
    """Raise ``MetaflowTaggingError`` unless ``tag`` is a usable tag."""
    if isinstance(tag, bytes):
        try:
            tag.decode("utf-8")
        except UnicodeError:
            raise MetaflowTaggingError("Tags must be UTF-8 decodable") from None
    elif isinstance(tag, str):
        try:
            tag.encode("utf-8")
        except UnicodeError:
            raise MetaflowTaggingError("Tags must be UTF-8 encodable") from None
    else:
        raise MetaflowTaggingError(
            f"Tags must be some kind of string (bytes or unicode), got {type(tag)}"
        )
    if not tag:
        raise MetaflowTaggingError("Tags must not be empty string")
    if len(tag) > MAX_TAG_SIZE:
        raise MetaflowTaggingError(f"Tag is too long {len(tag)} > {MAX_TAG_SIZE}")


def validate_tags(tags: Iterable[Any], existing: Iterable[str] | None = None) -> None:
    """Every tag valid, and the set no larger than allowed (or than ``existing``)."""
    tag_set = frozenset(tags)
    if len(tag_set) > MAX_USER_TAG_SET_SIZE and (
        existing is None or len(frozenset(existing)) < len(tag_set)
    ):
        raise MetaflowTaggingError(
            f"Cannot increase size of tag set beyond {MAX_USER_TAG_SET_SIZE}"
        )
    for tag in tag_set:
        validate_tag(tag)


def deployment_tags(environ: Any) -> list[str]:
    """The user tags of a new deployed run, from ``$FLOWC_RUN_TAGS`` (none when unset);
    a value the compiler did not write is refused rather than dropped."""
    import json

    text = environ.get(RUN_TAGS_VARIABLE)
    if not text:
        return []
    tags = json.loads(text)
    if not isinstance(tags, list):
        raise MetaflowTaggingError(f"${RUN_TAGS_VARIABLE} must be a JSON list of tags")
    validate_tags(tags)
    return sorted(set(tags))


def flowc_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("flowc")
    except PackageNotFoundError:
        return "unknown"


def system_tags(user: str | None, project: str | None, branch: str | None) -> list[str]:
    """The system tags of a new run (sorted)."""
    tags = {
        "runtime:dev",
        f"python_version:{platform.python_version()}",
        f"flowc_version:{flowc_version()}",
    }
    if user:
        tags.add(f"user:{user}")
    if project:
        tags.add(f"project:{project}")
        tags.add(f"project_branch:{branch or f'user.{user}'}")
    return sorted(tags)


def next_user_tags(
    user_tags: frozenset[str],
    system: frozenset[str],
    remove: Iterable[Any],
    add: Iterable[Any],
) -> frozenset[str]:
    """The user tags after removing ``remove`` then adding ``add`` (Metaflow's rules).

    Adding a tag that is a system tag is a no-op; removing one is an error and nothing
    changes (all or nothing).
    """
    if isinstance(add, (str, bytes)):
        raise MetaflowTaggingError("tags_to_add may not be a string")
    if isinstance(remove, (str, bytes)):
        raise MetaflowTaggingError("tags_to_remove may not be a string")
    add, remove = list(add), list(remove)
    if not add and not remove:
        raise MetaflowTaggingError("Must add or remove at least one tag")
    for tag in (*add, *remove):
        validate_tag(tag)
    removing = frozenset(_text(t) for t in remove)
    adding = frozenset(_text(t) for t in add) - system
    if removing & system:
        raise MetaflowTaggingError(
            f"Cannot remove a tag that is an existing system tag ({sorted(removing & system)})"
        )
    result = (user_tags - removing) | adding
    if result != user_tags:
        validate_tags(result, existing=user_tags)
    return result


def _text(tag: str | bytes) -> str:
    return tag.decode("utf-8") if isinstance(tag, bytes) else tag
