"""ASL state names and state-data keys for steps.

A step's Task state is named after the step; its helper states append a suffix after a
dot (``train.count``, ``train.map``). Step names match ``[a-z0-9_]+``, so a suffixed name
can never equal another step's name, and flowc's own states (``flowc.init``) cannot
either. ASL state names are unique across the whole machine (nested Parallel and Map
scopes included) and at most 80 characters; a longer name keeps a readable head and a
hash of the full name. Names avoid the characters AWS rejects in names that reach logs and
metrics (spaces, brackets, ``? * " # % \\ ^ | ~ ` $ & , ; : /``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

MAX_STATE_NAME = 80
_ALLOWED = re.compile(r"[^A-Za-z0-9_.\-]")
_KEY = re.compile(r"[^a-z0-9_]")


class NameCollision(Exception):
    """Two different states would get the same name (FC304)."""


@dataclass
class StateNames:
    """Allocates state names; the same request always yields the same name."""

    _by_key: dict[str, str] = field(default_factory=dict)
    _taken: dict[str, str] = field(default_factory=dict)

    def name(self, step: str, suffix: str = "") -> str:
        key = f"{step}\x00{suffix}"
        found = self._by_key.get(key)
        if found is not None:
            return found
        raw = _ALLOWED.sub("_", f"{step}.{suffix}" if suffix else step)
        if len(raw) > MAX_STATE_NAME:
            digest = hashlib.sha256(key.encode()).hexdigest()[:8]
            tail = f".{suffix}" if suffix and len(suffix) < 20 else ""
            raw = f"{raw[: MAX_STATE_NAME - len(tail) - 10]}-h{digest}{tail}"
        if raw in self._taken and self._taken[raw] != key:
            raise NameCollision(f"state name {raw!r} is used twice")
        self._by_key[key] = raw
        self._taken[raw] = key
        return raw

    def flowc(self, suffix: str) -> str:
        """A state flowc adds around the steps (``flowc.init``)."""
        return self.name("flowc", suffix)


def data_key(kind: str, step: str) -> str:
    """A key in the state data owned by one step (``count_train``); a JSONPath-safe name."""
    return f"{kind}_{_KEY.sub('_', step)}"
