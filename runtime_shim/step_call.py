"""Calling a step body under the decorators the shim applies, in Metaflow's order.

1. ``@catch``'s fallback attempt (past ``@retry``'s budget) does not run the body: it
   raises ``FailureHandledByCatch``.
2. ``@secrets`` sources are fetched and exported (``runtime_shim.secrets``).
3. ``@timeout`` arms ``SIGALRM``; it covers the user step decorators and the body and
   raises ``TimeoutException`` with Metaflow's message.
4. User step decorators wrap the body, outermost first (``pre_step`` in, ``post_step``
   out); one may replace the body, skip it, swallow its exception or supply the
   ``self.next`` arguments of a skipped step.
5. An exception that is left is ``@catch``'s on the last user attempt (stored in ``var``
   as a ``MetaflowExceptionWrapper``), else the task's.
"""

from __future__ import annotations

import ast
import inspect
import os
import signal
import sys
import textwrap

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import Any

    from runtime_shim.plugin_decorators import TaskHooks

OK = "ok"
CAUGHT = "caught"


def call_step(
    func: Any,
    flow: Any,
    args: tuple[Any, ...],
    decos: dict[str, dict[str, Any]],
    attempt: int,
    hooks: TaskHooks,
    pre_step: Callable[[], None],
    describe: Callable[[BaseException], dict[str, Any]],
    meta: dict[str, Any],
) -> str:
    """Run the step; returns ``OK`` or ``CAUGHT`` (raises what nothing handled).

    ``hooks`` are the plugin decorators' (``runtime_shim.plugin_decorators``);
    ``pre_step`` calls their ``task_pre_step``, first of all, inside the handled region.
    """
    from runtime_shim.catch_decorator import FailureHandledByCatch
    from runtime_shim.exceptions import MetaflowExceptionWrapper

    retries: int = decos["retry"]["times"] if "retry" in decos else 0
    catch = decos.get("catch")
    state = flow._flowc
    try:
        pre_step()
        if catch is not None and attempt > retries:
            raise FailureHandledByCatch(attempt)
        if "secrets" in decos:
            _export_secrets(decos["secrets"])
        with _alarm(decos.get("timeout"), state.step):
            _wrapped_call(func, hooks.decorated(func), flow, args)
        hooks.task_post_step(flow)
        if catch is not None and catch.get("var"):
            setattr(flow, catch["var"], None)
    except Exception as exc:
        # A plugin decorator's task_exception may handle it, as @catch does.
        handled = hooks.task_exception(flow, exc)
        if not handled and (catch is None or attempt < retries):
            hooks.task_finished(flow, False)
            raise
        if catch is not None and catch["print_exception"]:
            import traceback

            print(f"@catch caught an exception from {type(flow).__name__}", file=sys.stderr)
            traceback.print_exc()
        meta["exception"] = describe(exc)
        if catch is not None and catch.get("var"):
            setattr(flow, catch["var"], MetaflowExceptionWrapper(exc))
        state.transition = None
        return CAUGHT
    return OK


def _export_secrets(arguments: dict[str, Any]) -> None:
    from runtime_shim.secrets import resolve_secrets

    os.environ.update(
        resolve_secrets(
            list(arguments.get("sources") or ()),
            role=arguments.get("role"),
            allow_override=bool(arguments.get("allow_override")),
        )
    )


class _alarm:
    """``@timeout``'s alarm around the step (nothing without ``@timeout``)."""

    def __init__(self, arguments: dict[str, Any] | None, step: str) -> None:
        from runtime_shim.catalogue import timeout_seconds

        self.arguments = arguments or {}
        self.seconds = timeout_seconds(self.arguments) if arguments else 0
        self.step = step
        self.previous: Any = None

    def __enter__(self) -> None:
        if self.seconds > 0:
            self.previous = signal.signal(signal.SIGALRM, self._expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *_exc: object) -> None:
        if self.seconds > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)

    def _expire(self, _signum: int, _frame: FrameType | None) -> None:
        import traceback

        from runtime_shim.timeout_decorator import TimeoutException

        hours, minutes, seconds = (
            self.arguments.get(unit) or 0 for unit in ("hours", "minutes", "seconds")
        )
        message = (
            f"Step {self.step} timed out after {hours} hours, {minutes} minutes, {seconds} seconds"
        )
        print(message, file=sys.stderr)
        stack = "\n".join(
            f">  {part}" for line in traceback.format_stack()[:-1] for part in line.splitlines()
        )
        raise TimeoutException(f"{message}\nStack when the timeout was raised:\n{stack}")


def _wrapped_call(func: Any, body: Callable[..., Any], flow: Any, args: tuple[Any, ...]) -> None:
    """``body`` (the step function ``func`` under the plugin decorators) under the step's
    user decorators (Metaflow's ``_exec_step_function``)."""
    from runtime_shim.user_decorators import step_wrappers

    wrappers = step_wrappers(func)
    if not wrappers:
        body(flow, *args)
        return
    step = func.__name__
    inputs = args[0] if args else None
    entered = []
    replacement = None
    next_args: Any = None
    for wrapper in wrappers:
        replacement = wrapper.pre_step(step, flow, inputs)
        entered.append(wrapper)
        if wrapper.skip_step:
            next_args = wrapper.skip_step
            break
        if replacement:
            break
    raised: Exception | None = None
    had_raised = False
    try:
        if not next_args:
            if replacement:
                next_args = replacement(flow, *args) or None
            else:
                body(flow, *args)
    except Exception as exc:
        raised, had_raised = exc, True
    for wrapper in reversed(entered):
        try:
            outcome = wrapper.post_step(step, flow, raised)
        except Exception as exc:
            outcome = exc
        if outcome is None:
            raised = None
        elif isinstance(outcome, Exception):
            raised = outcome
        elif isinstance(outcome, tuple) and len(outcome) == 2:
            raised, next_args = outcome
        elif isinstance(outcome, tuple) and len(outcome) == 3:
            raise outcome[2]
        else:
            raise RuntimeError(
                "Invalid return value from a UserStepDecorator. Expected an exception or "
                f"an exception and arguments for self.next, got: {outcome!r}"
            )
    if raised is not None:
        raise raised
    if (next_args is not None and next_args is not False) or had_raised:
        _fake_next(func, flow, next_args)


def _fake_next(func: Any, flow: Any, next_args: Any) -> None:
    """Call ``self.next`` for a step a user decorator skipped, replaced or rescued."""
    targets = [getattr(flow, name) for name in static_targets(func)]
    if not targets:
        return
    flow._flowc.transition = None
    if isinstance(next_args, dict) and next_args:
        flow.next(*targets, **next_args)
    elif next_args is True or next_args == {} or next_args is None:
        foreach = static_foreach(func)
        flow.next(*targets, **({"foreach": foreach} if foreach else {}))
    else:
        raise RuntimeError(
            f"Invalid value passed to self.next; expected bool or a dictionary; got: {next_args}"
        )


def _next_call(func: Any) -> ast.Call | None:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "next"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "self"
        ):
            return node
    return None


def static_targets(func: Any) -> list[str]:
    """The steps the body's ``self.next(self.a, ...)`` names (read from its source)."""
    call = _next_call(func)
    if call is None:
        return []
    return [
        arg.attr
        for arg in call.args
        if isinstance(arg, ast.Attribute)
        and isinstance(arg.value, ast.Name)
        and arg.value.id == "self"
    ]


def static_foreach(func: Any) -> str | None:
    call = _next_call(func)
    for keyword in call.keywords if call is not None else ():
        if keyword.arg == "foreach" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    return None
