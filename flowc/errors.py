"""How the CLI reports an exception that escaped a command.

Imported only when an exception is already being handled, so start-up does not pay.
"""

from __future__ import annotations

import sys

# The documented exit codes (``flowc --help``); 2, a usage error, is click's own.
EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


def user_facing_errors() -> tuple[type[Exception], ...]:
    """Errors whose cause is outside flowc (a store, a package, a config)."""
    from flowc.config import ConfigError
    from flowc.packaging import PackagingError
    from runtime_shim.codepackage import CodePackageError
    from runtime_shim.datastore.errors import ObjectStoreError

    return (ObjectStoreError, CodePackageError, PackagingError, ConfigError)


def report_unexpected(exc: Exception) -> int:
    """Print ``exc`` and return the exit code: 1 with just the message for the user's
    errors (it says what to fix; a traceback would bury it), 3 with the traceback for a
    bug in flowc."""
    if isinstance(exc, user_facing_errors()):
        sys.stderr.write(f"flowc: error: {exc}\n")
        sys.stderr.flush()
        return EXIT_USER_ERROR
    import traceback

    traceback.print_exc()
    sys.stderr.write(f"flowc: internal error: {exc!r} (exit 3). Please report this.\n")
    sys.stderr.flush()
    return EXIT_INTERNAL
