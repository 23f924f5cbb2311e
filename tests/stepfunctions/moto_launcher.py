"""Start a moto server whose ASL interpreter behaves like Step Functions in three places.

moto 5.2's interpreter (ported from LocalStack) has three gaps that the emitted machines
hit; all are patched here, in the test stand-in only, never in flowc:

1. ``arn:aws:states:::aws-sdk:s3:getObject`` returns ``Body`` as an unread stream (the
   response normalisation is a stub), so ``States.StringToJson($.Body)`` fails. Step
   Functions returns the body as a string; the patch reads the stream into a string.
2. A ``.waitForTaskToken`` task that is retried reuses the first attempt's token and
   callback endpoint, which still holds the failed attempt's outcome (or was interrupted
   when that attempt's frame closed), so the retry fails at once without waiting for its
   own answer. Step Functions gives every attempt a new token; so does the patch.
3. ``StopExecution`` of an execution waiting for a task token leaves it RUNNING: the wait
   (without a heartbeat) blocks until the token is answered and never looks at the
   execution's state. Step Functions aborts it at once; the patch waits in short slices
   and, once the execution is stopped, ends the wait so the execution ends ABORTED (its
   history then has a TaskSucceeded before ExecutionAborted, which AWS does not write).

Usage: ``python moto_launcher.py -H 127.0.0.1 -p PORT`` with ``MOTO_PORT=PORT`` set
(moto's service integrations call back into the server through that port).
"""

from __future__ import annotations

import sys
import time
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
    from moto.stepfunctions.parser.asl.eval.callback.callback import (
        CallbackOutcomeSuccess,
        CallbackOutcomeTimedOut,
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

    waiting = callback_service.StateTaskServiceCallback._eval_wait_for_task_token

    def eval_wait_for_task_token(
        self: Any, env: Any, timeout_seconds: Any, callback_endpoint: Any, heartbeat_endpoint: Any
    ) -> Any:
        if heartbeat_endpoint is not None:
            return waiting(self, env, timeout_seconds, callback_endpoint, heartbeat_endpoint)
        deadline = time.monotonic() + timeout_seconds if timeout_seconds else None
        while deadline is None or time.monotonic() < deadline:
            outcome = callback_endpoint.wait(timeout=0.2)
            if outcome is not None:
                return outcome
            if not env.is_running():
                # Stopped: any outcome will do, the interpreter evaluates nothing more
                # (an error outcome would overwrite the stop with a failure).
                return CallbackOutcomeSuccess(callback_endpoint.callback_id, "{}")
        return CallbackOutcomeTimedOut(callback_id=callback_endpoint.callback_id)

    callback_service.StateTaskServiceCallback._eval_wait_for_task_token = eval_wait_for_task_token  # type: ignore[method-assign]


def main() -> None:
    _patch()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
