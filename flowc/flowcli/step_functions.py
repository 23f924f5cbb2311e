"""``step-functions create/trigger/list-runs/terminate/delete``: Metaflow 2.19's verbs,
deploying and operating the flow on AWS Step Functions through ``flowc.deploy`` (the
functions ``flowc deploy --target stepfunctions`` calls).

``create`` creates or updates the state machine, the ``@schedule`` schedule and the
``@trigger`` rule (``--only-json`` prints the state machine JSON and deploys nothing);
``trigger`` starts a run and says its run id (``sfn-...``); the run ids ``terminate``
takes are the ones ``trigger`` printed. Credentials and region are boto3's usual places;
the state machine's role is ``$FLOWC_SFN_ROLE_ARN`` (or ``--option role_arn=``).
``create``'s ``--tag``, ``--namespace``, ``--max-workers``, ``--workflow-timeout``,
``--use-distributed-map`` and ``--log-execution-history`` set the target options
``tags``, ``user_namespace``, ``max_concurrency``, ``workflow_timeout``, ``map_mode`` and
``log_execution_history``; the options flowc cannot apply (production tokens,
``--aws-batch-tag``, ...) are usage errors (``_refused.py``).
"""

from __future__ import annotations

from typing import Any

import click

from flowc.flowcli._refused import refuse
from flowc.flowcli.context import FlowContext, flow_context
from flowc.flowcli.deploy import (
    TRIGGER_SETTINGS,
    compile_only,
    compiled_text,
    default_name,
    delete_deployment,
    deploy_errors,
    deploy_or_fail,
    deployed_name,
    echo,
    echo_raw,
    echo_resources,
    find_flow_run,
    flag_text,
    group_request,
    option_pairs,
    parse_option_pairs,
    tags_text,
    trigger_options,
    trigger_run,
    write_deployer_attributes,
    write_run_files,
)

TARGET = "stepfunctions"
#: ``--use-distributed-map`` (True) / ``--no-use-distributed-map`` -> option map_mode
MAP_MODES = {True: "distributed", False: "inline"}
ENGINE = "AWS Step Functions"
_META = "flowc.step_functions"


@click.group("step-functions", help="Commands related to AWS Step Functions.")
@click.option(
    "--name",
    default=None,
    help="State Machine name. The flow name is used instead if this option is not specified",
)
@option_pairs
@click.pass_context
def step_functions(ctx: click.Context, name: str | None, option_pairs: tuple[str, ...]) -> None:
    options = parse_option_pairs(option_pairs)
    if name:
        options.setdefault("state_machine_name", name)
    ctx.meta[_META] = options


def _request(obj: FlowContext, **more: tuple[str, str | None]) -> Any:
    return group_request(obj, TARGET, _META, **more)


@step_functions.command(help="Deploy a new version of this workflow to AWS Step Functions.")
@refuse(
    "--authorize",
    "--generate-new-token",
    "--new-token",
    "--aws-batch-tag",
    "--compress-state-machine",
)
@click.option(
    "--tag",
    "tags",
    multiple=True,
    help="Annotate every run the deployment starts with this user tag (repeatable; option tags).",
)
@click.option(
    "--namespace",
    "user_namespace",
    default=None,
    help="The client namespace the tasks read other runs in ('': global; option "
    "user_namespace; default: the user's).",
)
@click.option(
    "--only-json",
    is_flag=True,
    default=False,
    help="Only print out JSON sent to AWS Step Functions. Do not deploy anything.",
)
@click.option(
    "--max-workers",
    default=None,
    type=click.IntRange(min=1),
    help="Maximum number of parallel processes (the foreach Map's MaxConcurrency; "
    "default: no limit).",
)
@click.option(
    "--workflow-timeout",
    default=None,
    type=click.IntRange(min=1),
    help="Workflow timeout in seconds (the state machine's TimeoutSeconds).",
)
@click.option(
    "--log-execution-history",
    is_flag=True,
    default=False,
    help="Log the execution history to the CloudWatch Logs group "
    "--option log_group_arn=ARN (or $FLOWC_SFN_LOG_GROUP_ARN).",
)
@click.option(
    "--use-distributed-map/--no-use-distributed-map",
    default=None,
    help="Distributed (or inline) Map for foreach (option map_mode).",
)
@click.option("--deployer-attribute-file", default=None, hidden=True)
def create(
    tags: tuple[str, ...],
    user_namespace: str | None,
    only_json: bool,
    max_workers: int | None,
    workflow_timeout: int | None,
    log_execution_history: bool,
    use_distributed_map: bool | None,
    deployer_attribute_file: str | None,
) -> None:
    from flowc.deploy.stepfunctions import ASL_SUFFIX

    obj = flow_context()
    request = _request(
        obj,
        tags=("--tag", tags_text(tags)),
        user_namespace=("--namespace", user_namespace),
        max_concurrency=("--max-workers", flag_text(max_workers)),
        workflow_timeout=("--workflow-timeout", flag_text(workflow_timeout)),
        log_execution_history=(
            "--log-execution-history",
            "true" if log_execution_history else None,
        ),
        map_mode=(
            "--use-distributed-map",
            None if use_distributed_map is None else MAP_MODES[use_distributed_map],
        ),
    )
    if only_json:
        echo_raw(compiled_text(obj, TARGET, ASL_SUFFIX, compile_only(TARGET, request.options)))
        return
    name = request.options.get("state_machine_name") or default_name(request)
    write_deployer_attributes(deployer_attribute_file, name, obj.flow_name)
    echo(obj, f"Deploying *{name}* to {ENGINE}...", bold=True)
    outcome = deploy_or_fail(request)
    echo(
        obj,
        f"State Machine *{outcome.deployed_name}* for flow *{obj.flow_name}* pushed to "
        f"{ENGINE} successfully.\n",
        bold=True,
    )
    echo_resources(obj, outcome)
    echo(obj, "What will trigger execution of the workflow:", bold=True)
    scheduled = any(r.kind == "schedule" for r in outcome.resources)
    rule = any(r.kind == "rule" for r in outcome.resources)
    if scheduled:
        echo(
            obj,
            "    This workflow triggers automatically via a cron schedule "
            f"*{outcome.deployed_name}* defined in Amazon EventBridge Scheduler.",
        )
    if rule:
        echo(obj, "    This workflow triggers automatically via an Amazon EventBridge rule.")
    if not (scheduled or rule):
        echo(obj, "    No triggers defined. You need to launch this workflow manually.")


@step_functions.command(
    help="Trigger the workflow on AWS Step Functions.", context_settings=TRIGGER_SETTINGS
)
@trigger_options
def trigger(
    ctx: click.Context, run_id_file: str | None, deployer_attribute_file: str | None
) -> None:
    obj = flow_context()
    ref = trigger_run(ctx, _request(obj))
    write_run_files(ref, run_id_file, deployer_attribute_file)
    echo(
        obj,
        f"Workflow *{ref.deployed_name}* triggered on {ENGINE} (run-id *{ref.run_id}*).",
        bold=True,
    )


STATUS_FLAGS = {
    "running": "RUNNING",
    "succeeded": "SUCCEEDED",
    "failed": "FAILED",
    "timed_out": "TIMED_OUT",
    "aborted": "ABORTED",
}


def _status_flags(command: Any) -> Any:
    for flag, state in reversed(STATUS_FLAGS.items()):
        command = click.option(
            f"--{flag.replace('_', '-')}",
            flag,
            is_flag=True,
            default=False,
            help=f"List all runs of the workflow in {state} state on {ENGINE}.",
        )(command)
    return command


@step_functions.command("list-runs", help="List all runs of the workflow on AWS Step Functions.")
@_status_flags
def list_runs(**flags: bool) -> None:
    from flowc.deploy import open_target

    obj = flow_context()
    request = _request(obj)
    states = [state for flag, state in STATUS_FLAGS.items() if flags[flag]]
    name = deployed_name(request)
    with deploy_errors():
        engine: Any = open_target(TARGET, request.options)
        executions = _executions(engine, name, states)
    for execution in executions:
        started = execution["startDate"].replace(microsecond=0)
        stopped = execution.get("stopDate")
        stop = f"stoppedAt:'{stopped.replace(microsecond=0)}' " if stopped else ""
        echo(obj, f"*{execution['name']}* startedAt:'{started}' {stop}*{execution['status']}*")
    if not executions:
        which = " and ".join(f"*{s}*" for s in states)
        echo(obj, f"No {which + ' ' if which else ''}executions for *{name}* found on {ENGINE}.")


def _executions(engine: Any, name: str, states: list[str]) -> list[dict[str, Any]]:
    """ListExecutions of the state machine, for each asked status (all when none)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from flowc.deploy import DeployError

    found: list[dict[str, Any]] = []
    pages = engine.client("stepfunctions").get_paginator("list_executions")
    asked: list[str | None] = list(states) or [None]
    for state in asked:
        request: dict[str, Any] = {"stateMachineArn": engine.machine_arn(name)}
        if state:
            request["statusFilter"] = state
        try:
            for page in pages.paginate(**request):
                found.extend(page["executions"])
        except (BotoCoreError, ClientError) as exc:
            raise DeployError(f"stepfunctions list_executions: {exc}") from exc
    return sorted(found, key=lambda e: e["startDate"], reverse=True)


@step_functions.command(help="Delete a workflow")
@refuse("--authorize")
def delete() -> None:
    obj = flow_context()
    request = _request(obj)
    echo(
        obj,
        f"Deleting AWS Step Functions state machine *{deployed_name(request)}*...",
        bold=True,
    )
    outcome = delete_deployment(request)
    echo_resources(obj, outcome)
    if not outcome.ok:
        raise_failed(outcome)
    if not outcome.resources:
        echo(obj, f"Nothing of *{outcome.deployed_name}* is deployed on {ENGINE}.")
        return
    echo(
        obj,
        "Deleting the AWS Step Functions state machine may take a while. Deploying the "
        "flow again to AWS Step Functions while the delete is in-flight will fail.",
    )
    echo(obj, "In-flight executions will not be affected. If necessary, terminate them manually.")


def raise_failed(outcome: Any) -> None:
    from flowc.deploy._operations import describe_outcome
    from flowc.flowcli.main import FlowCliError

    raise FlowCliError("\n".join(describe_outcome(outcome)))


@step_functions.command(help="Terminate flow execution on Step Functions.")
@refuse("--authorize")
@click.argument("run-id", required=True, type=str)
def terminate(run_id: str) -> None:
    from flowc.deploy._operations import terminate_run

    obj = flow_context()
    request = _request(obj)
    ref = find_flow_run(obj, ENGINE, run_id, "sfn")
    echo(obj, f"Terminating run *{run_id}* for {obj.flow_name} ...", bold=True)
    with deploy_errors():
        terminate_run(ref, request.options)
    echo(obj, "\nRun terminated.")
