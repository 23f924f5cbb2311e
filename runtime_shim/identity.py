"""Who is running, and the namespace the client filters by (Metaflow's ``namespace()``).

A namespace is a tag: ``user:NAME`` by default, ``None`` for the global namespace. Every
run carries its user's tag (a system tag), so the default namespace shows a user their
own runs. The state is per process, as in Metaflow: ``namespace(ns)`` changes what every
client object created afterwards may see.
"""

from __future__ import annotations

import os

from runtime_shim.exceptions import MetaflowUnknownUser

_UNSET = object()
_current: object = _UNSET


#: The namespace a run's tasks start in: ``run --namespace`` and a deployment's
#: ``--option user_namespace`` (empty: the global namespace).
NAMESPACE_VARIABLE = "FLOWC_NAMESPACE"


def get_username() -> str | None:
    """``$METAFLOW_USER``, else the invoking user from the environment
    (``runtime_shim.project.username``), else the OS user.

    Metaflow gives up when only "root" is known; flowc uses the OS user even then, so a
    container running as root still has a namespace (``user:root``).
    """
    from runtime_shim.project import username

    user = username()
    if user:
        return user
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name or None
    except (ImportError, KeyError):
        return os.environ.get("USER") or None


def resolve_identity() -> str:
    """``production:TOKEN`` with ``$METAFLOW_PRODUCTION_TOKEN``, else ``user:NAME``."""
    token = os.environ.get("METAFLOW_PRODUCTION_TOKEN")
    if token:
        return f"production:{token}"
    user = get_username()
    if not user:
        raise MetaflowUnknownUser()
    return f"user:{user}"


def namespace(ns: str | None) -> str | None:
    """Switch to namespace ``ns`` (``None``: every object is visible); returns it."""
    global _current
    _current = ns
    return get_namespace()


def get_namespace() -> str | None:
    """The namespace client objects are filtered by (the default one until changed)."""
    if _current is _UNSET:
        chosen = os.environ.get(NAMESPACE_VARIABLE)
        if chosen is not None:
            namespace(chosen or None)
        else:
            default_namespace()
    assert _current is None or isinstance(_current, str)
    return _current


def default_namespace() -> str:
    """Go back to the default namespace (the current user's) and return it."""
    global _current
    _current = resolve_identity()
    return _current
