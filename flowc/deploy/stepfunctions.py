"""Deploy to AWS Step Functions with boto3: the state machine, the EventBridge Scheduler
schedule of ``@schedule`` and the EventBridge rule of ``@trigger``/``@trigger_on_finish``,
each created or updated from the documents ``flowc compile --target stepfunctions`` emits.

Credentials, region and endpoints come from where boto3 reads them: ``--option
profile=NAME`` or ``$AWS_PROFILE``, ``$AWS_ACCESS_KEY_ID``/``$AWS_SECRET_ACCESS_KEY``,
``$AWS_REGION``/``$AWS_DEFAULT_REGION`` (or ``--option region=``), ``~/.aws/config``, and
``$AWS_ENDPOINT_URL`` or per service ``$AWS_ENDPOINT_URL_SFN``,
``$AWS_ENDPOINT_URL_SCHEDULER``, ``$AWS_ENDPOINT_URL_EVENTBRIDGE``,
``$AWS_ENDPOINT_URL_STS``. The state machine's role is ``--option role_arn=`` or
``$FLOWC_SFN_ROLE_ARN``. ``--option log_execution_history=true`` logs every execution's
history (level ``ALL``, with execution data) to the CloudWatch Logs group
``--option log_group_arn=`` or ``$FLOWC_SFN_LOG_GROUP_ARN`` (Metaflow's
``--log-execution-history``); ``false`` turns that logging off; without the option the
machine's logging configuration is left as it is.

Each resource is compared with what the engine holds first, so an unchanged deploy makes
no write, and a failure stops the deploy there: the outcome lists what was applied, what
failed and what was not applied, and running the deploy again converges.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from flowc.deploy._model import (
    CompiledDeployment,
    DeployConfigError,
    DeployError,
    DeployOutcome,
    DeployTarget,
    ResourceChange,
    ResourceOutcome,
    RunState,
    RunStatus,
    TriggeredRunRef,
)
from flowc.deploy._runs import new_run_id

ASL_SUFFIX = ".asl.json"
SCHEDULE_SUFFIX = ".schedule.json"
RULE_SUFFIX = ".rule.json"
ROLE_VARIABLE = "FLOWC_SFN_ROLE_ARN"
LOG_GROUP_VARIABLE = "FLOWC_SFN_LOG_GROUP_ARN"
#: DescribeExecution's status -> flowc's run state.
STATES: dict[str, RunState] = {
    "RUNNING": RunState.RUNNING,
    "PENDING_REDRIVE": RunState.PENDING,
    "SUCCEEDED": RunState.SUCCEEDED,
    "FAILED": RunState.FAILED,
    "TIMED_OUT": RunState.FAILED,
    "ABORTED": RunState.TERMINATED,
}
# The placeholder the compiler writes where it does not know the account.
_UNKNOWN_ACCOUNT = "ACCOUNT_ID"

# Applies one resource; None when neither the flow nor the engine has it.
Apply = Callable[[], ResourceChange | None]


class StepFunctionsTarget(DeployTarget):
    """One AWS account and region, reached through a boto3 session."""

    name: ClassVar[str] = "stepfunctions"
    connection_options: ClassVar[Mapping[str, str]] = {
        "profile": "AWS profile (default: $AWS_PROFILE, else boto3's default chain)",
        "role_arn": f"IAM role the state machine runs as (default: ${ROLE_VARIABLE})",
        "log_execution_history": "true: log every execution's history to log_group_arn; "
        "false: no logging (default: the machine's logging is left as it is)",
        "log_group_arn": "CloudWatch Logs group of log_execution_history "
        f"(default: ${LOG_GROUP_VARIABLE})",
    }

    def __init__(
        self, session: Any, role_arn: str | None, logging: dict[str, Any] | None = None
    ) -> None:
        self.session = session
        self.region: str = session.region_name
        self.role_arn = role_arn
        # The state machine's loggingConfiguration; None leaves the machine's as it is.
        self.logging = logging
        self._clients: dict[str, Any] = {}
        self._account: str | None = None

    @classmethod
    def from_environment(cls, options: Mapping[str, Any]) -> StepFunctionsTarget:
        import boto3
        from botocore.exceptions import ProfileNotFound

        profile = str(options.get("profile") or "") or None
        # boto3 reads $AWS_DEFAULT_REGION and the profile; $AWS_REGION is what the newer
        # AWS SDKs and the CLI v2 read, so it is honoured too.
        region = str(options.get("region") or "") or None
        if region is None and not os.environ.get("AWS_DEFAULT_REGION"):
            region = os.environ.get("AWS_REGION") or None
        try:
            session = boto3.Session(profile_name=profile, region_name=region)
        except ProfileNotFound:
            raise DeployConfigError(
                f"AWS profile {profile!r} is not in ~/.aws/config or ~/.aws/credentials "
                "(from --option profile or $AWS_PROFILE)"
            ) from None
        if not session.region_name:
            raise DeployConfigError(
                "no AWS region: set $AWS_REGION or $AWS_DEFAULT_REGION, a region in the "
                "AWS profile, or --option region=REGION"
            )
        if session.get_credentials() is None:
            raise DeployConfigError(
                "no AWS credentials: set $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY, or "
                "$AWS_PROFILE (a profile in ~/.aws/credentials), or run where an instance "
                "or task role provides them"
            )
        role = str(options.get("role_arn") or os.environ.get(ROLE_VARIABLE) or "") or None
        return cls(session, role, logging_configuration(options))

    # --- connection -------------------------------------------------------------------

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service)
        return self._clients[service]

    @property
    def account(self) -> str:
        if self._account is None:
            identity = self._call("sts", "get_caller_identity")
            self._account = str(identity["Account"])
        return self._account

    def _call(self, service: str, operation: str, **request: Any) -> Any:
        """One AWS request; failures become DeployError naming the request."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client(service), operation)(**request)
        except ClientError as exc:
            raise DeployError(f"{service} {operation}: {exc}") from exc
        except BotoCoreError as exc:
            raise DeployError(f"{service} {operation}: {exc}") from exc

    def compile_options(self) -> Mapping[str, str]:
        return {"region": self.region, "account_id": self.account}

    def machine_arn(self, name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account}:stateMachine:{name}"

    # --- deploy -----------------------------------------------------------------------

    def deploy(self, compiled: CompiledDeployment) -> DeployOutcome:
        asl = compiled.file_ending(ASL_SUFFIX)
        machine = os.path.basename(asl.path)[: -len(ASL_SUFFIX)]
        schedule = _optional_json(compiled, SCHEDULE_SUFFIX)
        rule = _optional_json(compiled, RULE_SUFFIX)
        if not self.role_arn:
            raise DeployConfigError(
                "the state machine needs an IAM role to run as: --option role_arn=ARN or "
                f"${ROLE_VARIABLE}"
            )
        if schedule is not None and _UNKNOWN_ACCOUNT in schedule["Target"]["RoleArn"]:
            raise DeployConfigError(
                "@schedule needs the IAM role EventBridge Scheduler assumes to start the "
                "state machine: --option scheduler_role_arn=ARN"
            )
        from flowc.deploy import _sfn_resources as resources

        arn = self.machine_arn(machine)
        steps: list[tuple[str, str, Apply]] = [
            (
                "state machine",
                machine,
                lambda: resources.apply_machine(self, machine, arn, asl.content),
            ),
            (
                "schedule",
                machine,
                lambda: resources.apply_schedule(self, machine, arn, schedule),
            ),
            (
                "rule",
                machine[:64],
                lambda: resources.apply_rule(self, machine[:64], arn, rule),
            ),
        ]
        return DeployOutcome(self.name, machine, _apply_in_order(steps))

    def delete(self, deployed_name: str) -> DeployOutcome:
        from flowc.deploy import _sfn_resources as resources

        arn = self.machine_arn(deployed_name)
        steps: list[tuple[str, str, Apply]] = [
            (
                "rule",
                deployed_name[:64],
                lambda: resources.apply_rule(self, deployed_name[:64], arn, None),
            ),
            (
                "schedule",
                deployed_name,
                lambda: resources.apply_schedule(self, deployed_name, arn, None),
            ),
            ("state machine", deployed_name, lambda: resources.delete_machine(self, arn)),
        ]
        return DeployOutcome(self.name, deployed_name, _apply_in_order(steps))

    # --- runs -------------------------------------------------------------------------

    def trigger(self, deployed_name: str, parameters: Mapping[str, str]) -> TriggeredRunRef:
        flow = self._flow_name(deployed_name)
        run_id = new_run_id(self.name)
        execution_input = {name: json.loads(text) for name, text in parameters.items()}
        started = self._call(
            "stepfunctions",
            "start_execution",
            stateMachineArn=self.machine_arn(deployed_name),
            name=run_id,
            input=json.dumps(execution_input, sort_keys=True),
        )
        return TriggeredRunRef(self.name, flow, deployed_name, run_id, started["executionArn"])

    def _flow_name(self, deployed_name: str) -> str:
        """The flow class the machine runs (its tasks' ``--flow``), read from the
        definition so a project- or option-named machine still names its flow."""
        from flowc.deploy._sfn_history import flow_of_definition
        from flowc.deploy._sfn_resources import lookup

        arn = self.machine_arn(deployed_name)
        described = lookup(self, "stepfunctions", "describe_state_machine", stateMachineArn=arn)
        if described is None:
            raise DeployError(
                f"no state machine {deployed_name} in {self.region} (account {self.account}); "
                "deploy the flow first: flowc deploy FLOW --target stepfunctions"
            )

        return flow_of_definition(described["definition"]) or deployed_name

    def status(self, ref: TriggeredRunRef) -> RunStatus:
        from flowc.deploy._sfn_history import task_statuses

        described = self._call(
            "stepfunctions", "describe_execution", executionArn=ref.engine_run_id
        )
        events: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self._call(
                "stepfunctions",
                "get_execution_history",
                executionArn=ref.engine_run_id,
                maxResults=1000,
                **({"nextToken": token} if token else {}),
            )
            events.extend(page["events"])
            token = page.get("nextToken")
            if not token:
                break
        engine_state = str(described["status"])
        state = STATES.get(engine_state, RunState.RUNNING)
        return RunStatus(ref, state, engine_state, task_statuses(events, state))

    def terminate(self, ref: TriggeredRunRef) -> None:
        described = self._call(
            "stepfunctions", "describe_execution", executionArn=ref.engine_run_id
        )
        if described["status"] == "RUNNING":
            self._call(
                "stepfunctions",
                "stop_execution",
                executionArn=ref.engine_run_id,
                error="flowc.Terminated",
                cause="stopped by flowc terminate",
            )


def logging_configuration(options: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``loggingConfiguration`` ``log_execution_history`` asks for (Metaflow's:
    level ALL with execution data, to one log group), or None when it is not given."""
    wanted = str(options.get("log_execution_history") or "").lower()
    if not wanted:
        return None
    if wanted not in ("true", "false"):
        raise DeployConfigError(f"log_execution_history={wanted!r} is not true or false")
    if wanted == "false":
        return {"level": "OFF"}
    group = str(options.get("log_group_arn") or os.environ.get(LOG_GROUP_VARIABLE) or "")
    if not group:
        raise DeployConfigError(
            "log_execution_history needs the CloudWatch Logs group to log to: "
            f"--option log_group_arn=ARN or ${LOG_GROUP_VARIABLE}"
        )
    return {
        "level": "ALL",
        "includeExecutionData": True,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group}}],
    }


def _optional_json(compiled: CompiledDeployment, suffix: str) -> dict[str, Any] | None:
    found = [f for f in compiled.files if f.path.endswith(suffix)]
    if not found:
        return None
    document: dict[str, Any] = json.loads(found[0].content)
    return document


def _apply_in_order(steps: list[tuple[str, str, Apply]]) -> tuple[ResourceOutcome, ...]:
    """Apply each resource in turn; after a failure the rest are reported not applied.
    A resource the flow does not have and the engine does not hold is left out."""
    outcomes: list[ResourceOutcome] = []
    failed = False
    for kind, name, apply in steps:
        if failed:
            outcomes.append(ResourceOutcome(kind, name, ResourceChange.NOT_APPLIED))
            continue
        try:
            change = apply()
        except DeployError as exc:
            outcomes.append(ResourceOutcome(kind, name, ResourceChange.FAILED, str(exc)))
            failed = True
            continue
        if change is not None:
            outcomes.append(ResourceOutcome(kind, name, change))
    return tuple(outcomes)
