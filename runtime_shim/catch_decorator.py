"""``metaflow.plugins.catch_decorator``: the exception ``@catch``'s fallback attempt records.

Metaflow gives a step with ``@catch`` extra attempts past its ``@retry`` budget for
failures the step's code did not raise (the process was killed, the node was lost). Such
an attempt does not run the step body: it raises :class:`FailureHandledByCatch`, which
``@catch`` then stores like any other exception (``runtime_shim.task``).
"""

from __future__ import annotations

from runtime_shim.exceptions import MetaflowException

# Attempts past ``@retry(times)`` that ``@catch`` grants (Metaflow's NUM_FALLBACK_RETRIES).
NUM_FALLBACK_RETRIES = 3


class FailureHandledByCatch(MetaflowException):
    headline = "Task execution failed but @catch handled it"

    def __init__(self, retry_count: int) -> None:
        super().__init__(
            f"Task execution kept failing over {retry_count} attempts. Your code did not "
            "raise an exception. Something in the execution environment caused the failure."
        )
