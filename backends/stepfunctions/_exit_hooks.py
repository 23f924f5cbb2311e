"""``@exit_hook`` on Step Functions: states around the flow's steps.

With exit hooks, the steps' states (the top-level scope) become the one branch of a
``flowc.flow`` Parallel state, so a Catch on it sees the failure of any step however deeply
it is nested in Parallel and Map states::

    flowc.flow ─ok─▶ flowc.hooks_succeeded ─▶ flowc.succeeded (Succeed)
        └─Catch States.ALL─▶ flowc.hooks_failed ─▶ flowc.failed (Fail)

The two hook states run the shim's ``exit-hooks`` command (one implementation with the
local runner and the other targets) on the start step's compute settings, with
``--status Succeeded`` or ``--status Failed``; the Fail state re-raises the caught error
and cause (``ErrorPath``/``CausePath``), so the execution still fails with the step's error.
The command exits 0 after trying every hook (a failing hook never changes the outcome, as
in Metaflow).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from backends.base import exit_hook_command
from backends.stepfunctions._bindings import task_state
from backends.stepfunctions._command import RUN_ID, ShimCommand
from backends.stepfunctions._decorators import StepSettings
from backends.stepfunctions._intrinsics import call, lit
from backends.stepfunctions._naming import StateNames
from backends.stepfunctions._options import SfnOptions
from flowc.ir import FlowIR

JOB_NAME = "exit-hooks"
ERROR_PATH = "$.flowc_error"
_RUN_ID = "\x00run-id"  # stands for the execution name while the command is built


def hook_command(ir: FlowIR, opts: SfnOptions, status: str) -> ShimCommand:
    argv = exit_hook_command(
        ir,
        python=opts.python,
        flow_file=opts.flow_file,
        datastore=opts.datastore_root,
        run_id=_RUN_ID,
        status=status,
        code_package=opts.code_package or None,
    )
    words = [RUN_ID if word == _RUN_ID else lit(word) for word in argv]
    worst = ["r" * 80 if word == _RUN_ID else word for word in argv]
    return ShimCommand(call("Array", *words), worst)


def wrap_with_hooks(
    ir: FlowIR,
    opts: SfnOptions,
    names: StateNames,
    body: dict[str, Any],
    start: StepSettings,
) -> tuple[str, dict[str, Any]]:
    """The name of the state that now enters the flow, and the states replacing the
    top-level ``body``."""
    settings = dataclasses.replace(start, retries=0, retry_delay_seconds=0, timeout_seconds=0)
    flow = names.flowc("flow")
    succeeded_hooks, failed_hooks = names.flowc("hooks_succeeded"), names.flowc("hooks_failed")
    succeeded, failed = names.flowc("succeeded"), names.flowc("failed")
    on_success = task_state(JOB_NAME, hook_command(ir, opts, "Succeeded"), settings, opts)
    on_error = task_state(JOB_NAME, hook_command(ir, opts, "Failed"), settings, opts)
    states: dict[str, Any] = {
        flow: {
            "Type": "Parallel",
            "Branches": [body],
            "ResultPath": None,
            "Next": succeeded_hooks,
            "Catch": [
                {"ErrorEquals": ["States.ALL"], "ResultPath": ERROR_PATH, "Next": failed_hooks}
            ],
        },
        succeeded_hooks: {**on_success, "Next": succeeded},
        succeeded: {"Type": "Succeed"},
        failed_hooks: {**on_error, "Next": failed},
        failed: {
            "Type": "Fail",
            "ErrorPath": f"{ERROR_PATH}.Error",
            "CausePath": f"{ERROR_PATH}.Cause",
        },
    }
    return flow, states
