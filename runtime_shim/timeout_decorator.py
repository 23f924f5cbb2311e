"""``metaflow.plugins.timeout_decorator``: the exception ``@timeout`` raises in the step.

Raised from the ``SIGALRM`` handler the shim installs for the step body, so it is an
ordinary exception of the step: retried by ``@retry`` and stored by ``@catch``, as in
Metaflow.
"""

from __future__ import annotations

from runtime_shim.exceptions import MetaflowException


class TimeoutException(MetaflowException):
    headline = "@timeout"
