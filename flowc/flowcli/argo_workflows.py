"""``argo-workflows create/trigger/status/terminate/delete/list-workflow-templates``:
Metaflow 2.19's verbs, deploying and operating the flow on Argo Workflows through
``flowc.deploy`` (the functions ``flowc deploy --target argo`` calls).

``create`` creates or updates the WorkflowTemplate (and the CronWorkflow of
``@schedule``, the Sensor of ``@trigger``) through the Argo Server's API; ``--only-json``
prints the WorkflowTemplate as JSON and deploys nothing. ``trigger`` submits a Workflow
from the template and says its run id (``argo-...``), the id ``status`` and ``terminate``
take. The server, token and namespace come from ``$ARGO_SERVER``, ``$ARGO_TOKEN``,
``$ARGO_NAMESPACE`` and the kubeconfig (docs/deploy.md). ``--name`` is refused: the
template's name is the flow's (or its ``@project`` branch's) as ``flowc deploy`` gives it.
``create``'s ``--tag``, ``--namespace``, ``--max-workers``, ``--workflow-timeout`` and
``--workflow-priority`` set the target options ``tags``, ``user_namespace``,
``parallelism``, ``workflow_timeout`` and ``priority``; the options flowc cannot apply
(production tokens, notifications, ...) are usage errors (``_refused.py``).
"""

from __future__ import annotations

import json
from typing import Any

import click

from flowc.flowcli._refused import refuse
from flowc.flowcli.context import FlowContext, flow_context
from flowc.flowcli.deploy import (
    TRIGGER_SETTINGS,
    compile_only,
    compiled_text,
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
from flowc.flowcli.main import FlowCliError

TARGET = "argo"
ENGINE = "Argo Workflows"
_META = "flowc.argo_workflows"
#: what each resource kind ``create`` may apply means for starting the workflow
TRIGGERS = {
    "CronWorkflow": "This workflow triggers automatically via the CronWorkflow *{name}*.",
    "Sensor": "This workflow triggers automatically via the Argo Events Sensor *{name}*.",
}


@click.group("argo-workflows", help="Commands related to Argo Workflows.")
@click.option("--name", default=None, help="Not supported by flowc (see --help of the group).")
@option_pairs
@click.pass_context
def argo_workflows(ctx: click.Context, name: str | None, option_pairs: tuple[str, ...]) -> None:
    if name:
        raise click.UsageError(
            "--name is not supported: the WorkflowTemplate is named after the flow "
            "(PROJECT.BRANCH.FLOW under @project); use --branch or --production instead"
        )
    ctx.meta[_META] = parse_option_pairs(option_pairs)


def _request(obj: FlowContext, **more: tuple[str, str | None]) -> Any:
    return group_request(obj, TARGET, _META, **more)


@argo_workflows.command(help="Deploy a new version of this workflow to Argo Workflows.")
@refuse(
    "--authorize",
    "--generate-new-token",
    "--new-token",
    "--notify-on-error",
    "--notify-on-success",
    "--notify-slack-webhook-url",
    "--notify-pager-duty-integration-key",
    "--notify-incident-io-api-key",
    "--incident-io-alert-source-config-id",
    "--incident-io-metadata",
    "--enable-heartbeat-daemon",
    "--enable-error-msg-capture",
    "--workflow-title",
    "--workflow-description",
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
    help="Only print out JSON sent to Argo Workflows. Do not deploy anything.",
)
@click.option(
    "--max-workers",
    default=None,
    type=click.IntRange(min=1),
    help="Maximum number of parallel processes (the template's spec.parallelism; "
    "default: no limit).",
)
@click.option(
    "--workflow-timeout",
    default=None,
    type=click.IntRange(min=1),
    help="Workflow timeout in seconds (the template's spec.activeDeadlineSeconds).",
)
@click.option(
    "--workflow-priority",
    default=None,
    type=int,
    help="Workflow priority as an integer (the template's spec.priority).",
)
@click.option(
    "--auto-emit-argo-events/--no-auto-emit-argo-events",
    default=None,
    help="Finished runs publish their event: on when --option events_webhook_url=URL "
    "is given, and only then.",
)
@click.option("--deployer-attribute-file", default=None, hidden=True)
def create(
    tags: tuple[str, ...],
    user_namespace: str | None,
    only_json: bool,
    max_workers: int | None,
    workflow_timeout: int | None,
    workflow_priority: int | None,
    auto_emit_argo_events: bool | None,
    deployer_attribute_file: str | None,
) -> None:
    obj = flow_context()
    request = _request(
        obj,
        tags=("--tag", tags_text(tags)),
        user_namespace=("--namespace", user_namespace),
        parallelism=("--max-workers", flag_text(max_workers)),
        workflow_timeout=("--workflow-timeout", flag_text(workflow_timeout)),
        priority=("--workflow-priority", flag_text(workflow_priority)),
    )
    _check_auto_emit(auto_emit_argo_events, request.options)
    if only_json:
        echo_raw(json.dumps(_template(obj, request.options), indent=2) + "\n")
        return
    echo(obj, f"Deploying *{obj.flow_name}* to {ENGINE}...", bold=True)
    outcome = deploy_or_fail(request)
    write_deployer_attributes(deployer_attribute_file, outcome.deployed_name, obj.flow_name)
    echo(
        obj,
        f"Workflow *{outcome.deployed_name}* for flow *{obj.flow_name}* deployed to "
        f"{ENGINE} successfully.\n",
        bold=True,
    )
    echo_resources(obj, outcome)
    echo(obj, "What will trigger execution of the workflow:", bold=True)
    found = [
        TRIGGERS[r.kind].format(name=r.name)
        for r in outcome.resources
        if r.kind in TRIGGERS and r.change.value != "deleted"
    ]
    for line in found or ["No triggers defined. You need to launch this workflow manually."]:
        echo(obj, f"    {line}")


def _check_auto_emit(wanted: bool | None, options: dict[str, str]) -> None:
    """Finished runs publish their event exactly when a webhook URL is configured
    (runtime_shim/argo_events.py): an ``--auto-emit-argo-events`` choice that says
    otherwise would be dropped, so it is refused."""
    from backends.argo._options import WEBHOOK_OPTION

    configured = bool(options.get(WEBHOOK_OPTION))
    if wanted is None or wanted == configured:
        return
    if wanted:
        raise click.UsageError(
            "--auto-emit-argo-events needs the Argo Events webhook finished runs publish "
            f"to: give --option {WEBHOOK_OPTION}=URL (flowc publishes exactly when it is set)"
        )
    raise click.UsageError(
        f"--no-auto-emit-argo-events: finished runs publish whenever --option "
        f"{WEBHOOK_OPTION} is set; leave that option out instead"
    )


def _template(obj: FlowContext, options: dict[str, str]) -> Any:
    """The WorkflowTemplate as the compiler emits it (the JSON ``create`` would send)."""
    import yaml

    text = compiled_text(obj, TARGET, ".yaml", compile_only(TARGET, options))
    documents = [d for d in yaml.safe_load_all(text) if d]
    templates = [d for d in documents if d.get("kind") == "WorkflowTemplate"]
    return templates[0] if len(templates) == 1 else documents


@argo_workflows.command(
    help="Trigger the workflow on Argo Workflows.", context_settings=TRIGGER_SETTINGS
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


@argo_workflows.command(help="Fetch flow execution status on Argo Workflows.")
@click.argument("run-id", required=True, type=str)
def status(run_id: str) -> None:
    from flowc.deploy._operations import run_status

    obj = flow_context()
    request = _request(obj)
    ref = find_flow_run(obj, ENGINE, run_id, "argo")
    echo(obj, f"Fetching status for run *{run_id}* for {obj.flow_name} ...", bold=True)
    with deploy_errors():
        current = run_status(ref, request.options)
    # Metaflow prints the workflow's phase (Pending, Running, Succeeded, Failed, Error).
    click.echo(current.engine_state or current.state.value.capitalize(), err=True)


@argo_workflows.command(help="Terminate flow execution on Argo Workflows.")
@refuse("--authorize")
@click.argument("run-id", required=True, type=str)
def terminate(run_id: str) -> None:
    from flowc.deploy._operations import terminate_run

    obj = flow_context()
    request = _request(obj)
    ref = find_flow_run(obj, ENGINE, run_id, "argo")
    echo(obj, f"Terminating run *{run_id}* for {obj.flow_name} ...", bold=True)
    with deploy_errors():
        terminate_run(ref, request.options)
    echo(obj, "\nRun terminated.")


@argo_workflows.command(help="Delete the flow on Argo Workflows.")
@refuse("--authorize")
def delete() -> None:
    from flowc.deploy._operations import describe_outcome

    obj = flow_context()
    request = _request(obj)
    name = deployed_name(request)
    echo(obj, f"Deleting workflow *{name}*...", bold=True)
    outcome = delete_deployment(request)
    if not outcome.ok:
        raise FlowCliError("\n".join(describe_outcome(outcome)))
    if not outcome.resources:
        raise FlowCliError(f"No WorkflowTemplate {name} found on {ENGINE}.")
    for resource in outcome.resources:
        if resource.kind != "WorkflowTemplate":
            echo(obj, f"Deleting {resource.kind.lower()} *{resource.name}*...", bold=True)
    echo(
        obj,
        "Deleting Kubernetes resources may take a while. Deploying the flow again to "
        "Argo Workflows while the delete is in-flight will fail.",
    )
    echo(obj, "In-flight executions will not be affected. If necessary, terminate them manually.")


@argo_workflows.command(
    "list-workflow-templates", help="List Argo Workflow templates for the flow."
)
@refuse("--all")
def list_workflow_templates() -> None:
    from flowc.deploy import open_target

    obj = flow_context()
    request = _request(obj)
    name = deployed_name(request)
    with deploy_errors():
        engine: Any = open_target(TARGET, request.options)
        live = engine.api.get("WorkflowTemplate", name, engine.namespace)
    if live is not None:
        click.echo(name, err=True)


#: Metaflow's verbs flowc does not offer -> the Argo CLI command that does it (a run's
#: Workflow is named by its run id).
UNOFFERED = {"suspend": "argo suspend RUN_ID", "unsuspend": "argo resume RUN_ID"}


def _unoffered(verb: str, instead: str) -> None:
    @argo_workflows.command(verb, help=f"Not offered by flowc: use {instead}.")
    @refuse("--authorize")
    @click.argument("run-id", required=True, type=str)
    def refused(run_id: str) -> None:
        raise click.UsageError(
            f"flowc does not {verb} runs; use the Argo CLI: {instead.replace('RUN_ID', run_id)}"
        )


for _verb, _instead in UNOFFERED.items():
    _unoffered(_verb, _instead)
