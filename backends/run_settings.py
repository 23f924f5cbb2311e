"""What a deployment says about the runs it starts: their user tags (``--option tags=``,
Metaflow's ``create --tag``) and the client namespace their tasks read other runs in
(``--option user_namespace=``, Metaflow's ``create --namespace``).

Both reach the tasks through their environment, as ``run --tag``/``--namespace`` reach a
local run's: the tags as ``$FLOWC_RUN_TAGS`` (a JSON list) in the start step's, which
creates the run record and makes them its user tags (runtime_shim/tags.py); the
namespace as ``$FLOWC_NAMESPACE`` in every step's (runtime_shim/identity.py; empty: the
global namespace). Tags are checked here with Metaflow's rules, so a bad tag is an FC305
error when compiling rather than a failed start task.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from runtime_shim.identity import NAMESPACE_VARIABLE
from runtime_shim.tags import RUN_TAGS_VARIABLE

TAGS_OPTION = "tags"
NAMESPACE_OPTION = "user_namespace"
OPTION_KEYS: dict[str, str] = {
    TAGS_OPTION: "user tags of every run the deployment starts: a JSON list, or "
    "comma-separated (Metaflow's create --tag)",
    NAMESPACE_OPTION: "client namespace the tasks read other runs in (empty: global; "
    "default: the user's; Metaflow's create --namespace)",
}


def run_tags(extra: Mapping[str, Any]) -> tuple[list[str], list[Diagnostic]]:
    """The tags ``--option tags=`` gives (sorted, without repeats) and FC305 when they
    are not a list of valid tags."""
    from runtime_shim.exceptions import MetaflowTaggingError
    from runtime_shim.tags import validate_tags

    value = extra.get(TAGS_OPTION)
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


def step_environment(extra: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every step's environment that carries the namespace (none without the option)."""
    value = extra.get(NAMESPACE_OPTION)
    return [] if value is None else [(NAMESPACE_VARIABLE, str(value))]
