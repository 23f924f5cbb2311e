"""Kubernetes-safe names for templates, tasks, parameters and the resource itself.

Argo resources and their templates are named by DNS-1123 rules: lowercase letters,
digits and ``-``, starting and ending with an alphanumeric, at most 63 characters
(52 for a CronWorkflow, whose controller appends a timestamp). Step names use ``_``,
so they are mapped, and a mapping that could collide (after truncation, or with a name
flowc adds itself) is made unique with a short, stable hash suffix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backends.project import DeployedProject
    from flowc.diagnostics import Diagnostic
    from flowc.ir import FlowIR

MAX_NAME = 63
MAX_CRON_NAME = 52


def body_template(split: str) -> str:
    """The name a foreach's body DAG (its template and the fan-out task) asks for; the
    run's node names are built from it (``_status.py`` sizes them)."""
    return f"{split}-foreach"


# Argo parameter names: letters, digits, '-' and '_' (validated by the controller).
_PARAM_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
# Image references: registry/path:tag@digest; no spaces, braces or '$'.
IMAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")


def is_dns1123(name: str, limit: int = MAX_NAME) -> bool:
    """Whether ``name`` is a DNS-1123 label no longer than ``limit``."""
    return len(name) <= limit and bool(_DNS_LABEL.match(name))


def is_label(key: str, value: str) -> bool:
    """Whether ``key: value`` is a valid Kubernetes label (or node selector entry)."""
    return (
        bool(LABEL_KEY.match(key))
        and len(key.rpartition("/")[2]) <= MAX_NAME
        and bool(LABEL_VALUE.match(value))
        and len(value) <= MAX_NAME
    )


def is_subdomain(name: str) -> bool:
    """A DNS-1123 subdomain (names of service accounts, secrets): at most 253 chars."""
    return len(name) <= 253 and bool(_DNS_SUBDOMAIN.match(name))


MAX_OBJECT_NAME = 253  # DNS-1123 subdomains: names of secrets, claims, service accounts


def name_problem(what: str, name: str, subdomain: bool = True) -> str | None:
    """Why ``name`` cannot name a Kubernetes object (a subdomain, or a DNS-1123 label such
    as a namespace), with its measured length when that is the reason; None when it can."""
    limit = MAX_OBJECT_NAME if subdomain else MAX_NAME
    pattern = _DNS_SUBDOMAIN if subdomain else _DNS_LABEL
    if len(name) > limit:
        return f"{what} {name[:20]!r}... is {len(name)} characters; Kubernetes allows {limit}"
    if not pattern.match(name):
        rule = "lowercase letters, digits, '-'" + (" and '.'" if subdomain else "")
        return f"{what} {name!r} is not a Kubernetes name ({rule}, alphanumeric at both ends)"
    return None


def label_problem(what: str, key: str, value: str) -> str | None:
    """Why ``key: value`` cannot be a Kubernetes label, or None."""
    name = key.rpartition("/")[2]
    if len(name) > MAX_NAME or len(value) > MAX_NAME:
        longest = max(len(name), len(value))
        return f"{what} {key}={value[:20]!r}... has a {longest}-character part; labels allow 63"
    if not is_label(key, value):
        return f"{what} {key}={value!r} is not a valid Kubernetes label"
    return None


def _short_hash(text: str) -> str:
    import hashlib  # only long names need it; keep the common path's imports small

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]


def dns1123(text: str, limit: int = MAX_NAME) -> str:
    """A DNS-1123 label derived from ``text``: ``CamelCase`` and ``snake_case`` become
    ``camel-case``/``snake-case``. Deterministic; a truncated name gets a hash of the
    original appended so long names stay distinct. Collisions between short names are
    the caller's to resolve (see :class:`NameAllocator`)."""
    kebab = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", text).lower()
    cleaned = re.sub(r"[^a-z0-9-]+", "-", kebab.replace("_", "-"))
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-") or "x"
    if len(cleaned) <= limit:
        return cleaned
    suffix = _short_hash(text)
    head = cleaned[: limit - len(suffix) - 1].rstrip("-") or "x"
    return f"{head}-{suffix}"


def is_param_name(name: str) -> bool:
    return bool(_PARAM_NAME.match(name))


@dataclass
class NameAllocator:
    """Hands out unique DNS-1123 names within one namespace of names (e.g. templates).

    ``allocate(key, wanted)`` is idempotent per key; a name already taken by another key
    gets ``-2``, ``-3``… (truncated to fit), so the result never collides.
    """

    limit: int = MAX_NAME
    _by_key: dict[str, str] = field(default_factory=dict)
    _taken: set[str] = field(default_factory=set)

    def allocate(self, key: str, wanted: str) -> str:
        if key in self._by_key:
            return self._by_key[key]
        base = dns1123(wanted, self.limit)
        name, n = base, 1
        while name in self._taken:
            n += 1
            tail = f"-{n}"
            name = base[: self.limit - len(tail)].rstrip("-") + tail
        self._taken.add(name)
        self._by_key[key] = name
        return name

    def reserve(self, key: str, exact: str) -> str:
        """Like :meth:`allocate`, but keep ``exact`` verbatim when it is still free."""
        if key in self._by_key:
            return self._by_key[key]
        if exact in self._taken:
            return self.allocate(key, exact)
        self._taken.add(exact)
        self._by_key[key] = exact
        return exact

    def get(self, key: str) -> str:
        return self._by_key[key]


def resource_name(
    ir: FlowIR, kind: str, branch: str | None, production: bool
) -> tuple[str, DeployedProject | None, list[Diagnostic]]:
    """The name of the flow's resource (a WorkflowTemplate and the CronWorkflow and Sensor
    beside it), the one source for the manifest and for ``flowc deploy``: the deployed
    ``@project`` name, else the flow's name as a DNS-1123 label. A scheduled flow's name
    keeps to 52 characters, as its CronWorkflow's must."""
    from backends.project import deployed_name

    scheduled = kind == "CronWorkflow" or ir.decorator("schedule") is not None
    limit = MAX_CRON_NAME if scheduled else MAX_NAME
    deployed, project, found = deployed_name(ir, "argo", branch, production, limit)
    return deployed or dns1123(ir.name, limit), project, found
