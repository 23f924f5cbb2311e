"""Start a moto server whose ASL interpreter behaves like Step Functions in two places.

moto 5.2's interpreter (ported from LocalStack) has two gaps that the emitted machines
hit; both are patched here, in the test stand-in only, never in flowc:

1. ``arn:aws:states:::aws-sdk:s3:getObject`` returns ``Body`` as an unread stream (the
   response normalisation is a stub), so ``States.StringToJson($.Body)`` fails. Step
   Functions returns the body as a string; the patch reads the stream into a string.
2. A ``.waitForTaskToken`` task that is retried reuses one callback endpoint, and the
   outcome of the failed attempt is still stored there, so the retry fails at once
   without waiting for its own answer. Step Functions waits for each attempt's answer;
   the patch consumes an outcome when it is read.

Usage: ``python moto_launcher.py -H 127.0.0.1 -p PORT`` with ``MOTO_PORT=PORT`` set
(moto's service integrations call back into the server through that port).
"""

from __future__ import annotations

import sys
from typing import Any


def _patch() -> None:
    from botocore.response import StreamingBody
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk as aws_sdk,
    )
    from moto.stepfunctions.parser.asl.eval.callback import callback
    from moto.stepfunctions.parser.utils import to_str

    def normalise_response(self: Any, response: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(response, dict):
            for key, value in list(response.items()):
                if isinstance(value, StreamingBody):
                    response[key] = to_str(value.read())

    aws_sdk.StateTaskServiceAwsSdk._normalise_response = normalise_response  # type: ignore[method-assign]

    def wait(self: Any, timeout: float | None = None) -> Any:
        self._notify_event.wait(timeout=timeout)
        outcome = self._outcome
        if outcome is not None:
            self._outcome = None
            self._notify_event.clear()
        return outcome

    callback.CallbackEndpoint.wait = wait  # type: ignore[method-assign]


def main() -> None:
    _patch()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
