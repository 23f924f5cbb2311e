"""Metaflow 2.19's options of the deploy verbs that flowc cannot apply, refused.

Whatever a command line says either reaches what flowc deploys or is refused: a usage
error (exit 2) that says what flowc does instead and what to write. The options flowc
applies are declared on the verbs (``step_functions.py``, ``argo_workflows.py``,
``deploy.py``); :data:`REFUSED` holds the rest, one reason each, and the verbs take them
with :func:`refuse`, so a script written for Metaflow never deploys something other than
it asked for. An option Metaflow's scripts or its ``Deployer`` pass by default (their
``--deployer-attribute-file``) is honoured, never refused; Metaflow's ``Deployer`` only
passes ``--authorize`` when the caller gives it.

Flag pairs (``--notify-on-error/--no-notify-on-error``) are refused when on: off is what
flowc does, so the ``--no-`` spelling is accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

_TOKENS = (
    "flowc has no production tokens: whoever the engine's access control (AWS IAM, "
    "Kubernetes RBAC) allows may update, trigger or delete a deployment, and its runs "
    "are not moved to a token's namespace; leave {flag} out"
)
_NOTIFY = (
    "flowc sends no notifications; write an @exit_hook(on_error=[...], "
    "on_success=[...]) function that notifies (docs/argo.md) and leave {flag} out"
)


@dataclass(frozen=True)
class Refusal:
    """One refused option: its click declaration (``--a/--no-a`` for a flag pair) and
    why, with what to write instead (``{flag}`` is the option's name)."""

    declaration: str
    reason: str
    takes_value: bool = True
    multiple: bool = False

    @property
    def flag(self) -> str:
        return self.declaration.split("/")[0]

    @property
    def pair(self) -> bool:
        return "/" in self.declaration


def _refusals(*found: Refusal) -> dict[str, Refusal]:
    return {refusal.flag: refusal for refusal in found}


#: Every refused option of every verb, by flag.
REFUSED: dict[str, Refusal] = _refusals(
    Refusal("--authorize", _TOKENS),
    Refusal("--generate-new-token", _TOKENS, takes_value=False),
    Refusal("--new-token", _TOKENS),
    Refusal(
        "--tag",
        "flowc does not tag the runs of an Airflow DAG; tag a run once it has started "
        "(python FLOW.py tag add --run-id RUN_ID TAG) and leave {flag} out",
        multiple=True,
    ),
    Refusal(
        "--namespace",
        "flowc's Airflow DAG does not set its tasks' client namespace (they read runs "
        "in their user's, user:USER); call namespace(NAME) in the step that reads other "
        "runs and leave {flag} out",
    ),
    Refusal(
        "--aws-batch-tag",
        "flowc does not tag the AWS Batch jobs it submits; tag the job definition "
        "(--option job_definition=NAME) and leave {flag} out",
        multiple=True,
    ),
    Refusal(
        "--compress-state-machine/--no-compress-state-machine",
        "flowc does not offload task commands to S3: the definition carries them, and "
        "one too large for Step Functions is an FC307 error when compiling; leave "
        "{flag} out (--no-compress-state-machine is what flowc does)",
    ),
    Refusal("--notify-on-error/--no-notify-on-error", _NOTIFY),
    Refusal("--notify-on-success/--no-notify-on-success", _NOTIFY),
    Refusal("--notify-slack-webhook-url", _NOTIFY),
    Refusal("--notify-pager-duty-integration-key", _NOTIFY),
    Refusal("--notify-incident-io-api-key", _NOTIFY),
    Refusal("--incident-io-alert-source-config-id", _NOTIFY),
    Refusal("--incident-io-metadata", _NOTIFY, multiple=True),
    Refusal(
        "--enable-heartbeat-daemon/--no-enable-heartbeat-daemon",
        "flowc runs no heartbeat daemon: the engine reports each task's state (python "
        "FLOW.py argo-workflows status RUN_ID); leave {flag} out "
        "(--no-enable-heartbeat-daemon is what flowc does)",
    ),
    Refusal(
        "--enable-error-msg-capture/--no-enable-error-msg-capture",
        "flowc's exit hook does not capture the first failed task's stack trace; read it "
        "with python FLOW.py logs RUN_ID/STEP and leave {flag} out "
        "(--no-enable-error-msg-capture is what flowc does)",
    ),
    Refusal(
        "--workflow-title",
        "flowc does not annotate the WorkflowTemplate with a title; leave {flag} out",
    ),
    Refusal(
        "--workflow-description",
        "flowc does not annotate the WorkflowTemplate with a description; leave {flag} out",
    ),
    Refusal(
        "--all",
        "flowc lists this flow's WorkflowTemplate only; list every template with "
        "argo template list and leave {flag} out",
        takes_value=False,
    ),
)

#: ``airflow create``'s refused options (Metaflow's Airflow DAG settings), by flag.
AIRFLOW_REFUSED: dict[str, Refusal] = _refusals(
    Refusal(
        "--is-paused-upon-creation",
        "flowc's DAG file does not set is_paused_upon_creation: Airflow's "
        "[core] dags_are_paused_at_creation decides; leave {flag} out",
        takes_value=False,
    ),
    Refusal(
        "--max-workers",
        "flowc's DAG does not cap its running tasks: Airflow's "
        "[core] max_active_tasks_per_dag applies; leave {flag} out",
    ),
    Refusal(
        "--workflow-timeout",
        "flowc's DAG sets no dagrun_timeout; put @timeout on the steps and leave {flag} out",
    ),
    Refusal(
        "--worker-pool",
        "flowc's DAG tasks run in Airflow's default pool; leave {flag} out",
    ),
)


def _refuse(refusal: Refusal) -> Callable[[click.Context, click.Parameter, Any], None]:
    def check(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value in (None, False, ()):
            return
        raise click.UsageError(refusal.reason.format(flag=refusal.flag), ctx)

    return check


def refuse(*flags: str, table: dict[str, Refusal] = REFUSED) -> Callable[[F], F]:
    """Declare the refused options ``flags`` (keys of ``table``) on a command: given (on,
    for a pair), each is a usage error with its reason; the command never sees them."""

    def decorate(command: F) -> F:
        for flag in reversed(flags):
            refusal = table[flag]
            extra: dict[str, Any] = {}
            if refusal.pair:
                extra = {"is_flag": True, "default": None}
            elif not refusal.takes_value:
                extra = {"is_flag": True, "default": False}
            elif refusal.multiple:
                extra = {"multiple": True}
            command = click.option(
                refusal.declaration,
                expose_value=False,
                callback=_refuse(refusal),
                help="Not applied by flowc: refused (see docs/flow-cli.md).",
                **extra,
            )(command)
        return command

    return decorate
