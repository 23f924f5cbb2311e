"""``--option tags=...``: the user tags every run of a deployment gets (Metaflow's
``step-functions create --tag``/``argo-workflows create --tag``).

The start task creates the run record, so the tags reach it as ``$FLOWC_RUN_TAGS`` (a
JSON list) in the start step's environment (runtime_shim/tags.py); they are then the
run's user tags for the client, ``tag list`` and ``current.tags`` of every task, and can
be changed like any user tag. Checked here with Metaflow's rules, so a bad tag is an
FC305 error when compiling rather than a failed start task.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from runtime_shim.tags import RUN_TAGS_VARIABLE

OPTION = "tags"
OPTION_KEYS: dict[str, str] = {
    OPTION: "user tags of every run the deployment starts: a JSON list, or comma-separated "
    "(Metaflow's create --tag)",
}


def run_tags(extra: Mapping[str, Any]) -> tuple[list[str], list[Diagnostic]]:
    """The tags ``--option tags=`` gives (sorted, without repeats) and FC305 when they
    are not a list of valid tags."""
    from runtime_shim.exceptions import MetaflowTaggingError
    from runtime_shim.tags import validate_tags

    value = extra.get(OPTION)
    if value in (None, ""):
        return [], []
    tags: Any = value
    if isinstance(value, str):
        text = value.strip()
        try:
            tags = json.loads(text) if text.startswith("[") else text.split(",")
        except ValueError as exc:
            return [], [diag(codes.FC305, f"option tags={value!r} is not a JSON list: {exc}", None)]
    if not isinstance(tags, list | tuple):
        return [], [diag(codes.FC305, f"option tags={value!r} is not a list of tags", None)]
    try:
        validate_tags(tags)
    except MetaflowTaggingError as exc:
        return [], [diag(codes.FC305, f"option tags={value!r}: {exc}", None)]
    return sorted(set(tags)), []


def start_environment(extra: Mapping[str, Any]) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
    """The start step's environment that carries the tags (none without the option)."""
    tags, found = run_tags(extra)
    return ([(RUN_TAGS_VARIABLE, json.dumps(tags))] if tags else []), found
