"""The datastore's exceptions, in a module of their own so a task imports them without
``typing`` (which the ``ObjectStore`` protocol needs)."""

from __future__ import annotations


class ObjectStoreError(Exception):
    """A storage failure a user can act on (missing bucket, bad credentials, ...).

    The message names the store URL and what to check; it never hides the cause.
    """


class ObjectNotFound(ObjectStoreError, KeyError):
    """The key does not exist."""
