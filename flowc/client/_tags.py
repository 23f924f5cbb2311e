"""A run's user tags: the latest version of the set, and changing it safely.

The tags given at start are in ``run.json``; every change writes the whole new set as
the next version (``tags-NNNNNNNN.json``) with a conditional create. Two writers that
read the same version cannot both publish the next one: the loser re-reads and applies
its change again, so concurrent ``add_tag`` calls (from several tasks, or from tasks and
the CLI) never lose one another's tags, on a local directory and on S3 alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from runtime_shim.datastore.layout import FlowDatastore
from runtime_shim.exceptions import MetaflowTaggingError
from runtime_shim.tags import next_user_tags

MAX_CONFLICTS = 100


def _latest(ds: FlowDatastore, run: str, record: dict[str, Any]) -> tuple[int, frozenset[str]]:
    versions = ds.tag_versions(run)
    if not versions:
        return 0, frozenset(record.get("tags", ()))
    return versions[-1], frozenset(ds.read_tags(run, versions[-1]))


def user_tags(ds: FlowDatastore, run: str, record: dict[str, Any]) -> frozenset[str]:
    return _latest(ds, run, record)[1]


def mutate_user_tags(
    ds: FlowDatastore,
    run: str,
    record: dict[str, Any],
    system: frozenset[str],
    remove: Iterable[Any],
    add: Iterable[Any],
) -> frozenset[str]:
    """Apply one change (remove first, then add) and return the resulting user tags."""
    remove, add = list(_iterable(remove, "tags_to_remove")), list(_iterable(add, "tags_to_add"))
    for _ in range(MAX_CONFLICTS):
        version, current = _latest(ds, run, record)
        wanted = next_user_tags(current, system, remove, add)
        if wanted == current:
            return current
        if ds.write_tags(run, version + 1, sorted(wanted)):
            return wanted
    raise MetaflowTaggingError(
        f"Could not change the tags of run {run}: too many concurrent writers"
    )


def _iterable(tags: Any, what: str) -> Iterable[Any]:
    if isinstance(tags, (str, bytes)):
        raise MetaflowTaggingError(f"{what} may not be a string")
    try:
        found: Iterable[Any] = iter(tags)
    except TypeError:
        raise MetaflowTaggingError(f"{what} must be iterable") from None
    return found
