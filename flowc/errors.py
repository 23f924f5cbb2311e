"""Which exceptions are the user's to fix rather than flowc's bugs."""

from __future__ import annotations


def user_facing_errors() -> tuple[type[Exception], ...]:
    """Errors whose cause is outside flowc (a store, a package, a config): the CLI prints
    their message and exits 1; anything else is an internal error (exit 3, traceback).

    Imported only when an exception is already being handled, so start-up does not pay.
    """
    from flowc.config import ConfigError
    from flowc.packaging import PackagingError
    from runtime_shim.codepackage import CodePackageError
    from runtime_shim.datastore.errors import ObjectStoreError

    return (ObjectStoreError, CodePackageError, PackagingError, ConfigError)
