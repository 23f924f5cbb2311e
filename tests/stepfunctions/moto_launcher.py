"""Start a moto server whose ASL interpreter behaves like Step Functions in two places.

moto 5.2's interpreter (ported from LocalStack) has two gaps that the emitted machines
hit; both are patched here, in the test stand-in only, never in flowc:

1. ``arn:aws:states:::aws-sdk:s3:getObject`` returns ``Body`` as an unread stream (the
   response normalisation is a stub), so ``States.StringToJson($.Body)`` fails. Step
   Functions returns the body as a string; the patch reads the stream into a string.
2. A ``.waitForTaskToken`` task that is retried reuses the first attempt's token and
   callback endpoint, which still holds the failed attempt's outcome (or was interrupted
   when that attempt's frame closed), so the retry fails at once without waiting for its
   own answer. Step Functions gives every attempt a new token; so does the patch.

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
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_callback as callback_service,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
        ResourceCondition,
    )
    from moto.stepfunctions.parser.utils import to_str

    def normalise_response(self: Any, response: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(response, dict):
            for key, value in list(response.items()):
                if isinstance(value, StreamingBody):
                    response[key] = to_str(value.read())

    aws_sdk.StateTaskServiceAwsSdk._normalise_response = normalise_response  # type: ignore[method-assign]

    original = callback_service.StateTaskServiceCallback._eval_execution

    def eval_execution(self: Any, env: Any) -> None:
        # A retried attempt gets its own token and callback endpoint, as on AWS.
        state = env.states.context_object.context_object_data.get("State", {})
        if (
            state.get("RetryCount")
            and self.resource.condition == ResourceCondition.WaitForTaskToken
        ):
            token = env.states.context_object.update_task_token()
            env.callback_pool_manager.add(token)
        original(self, env)

    callback_service.StateTaskServiceCallback._eval_execution = eval_execution  # type: ignore[method-assign]


def main() -> None:
    _patch()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
