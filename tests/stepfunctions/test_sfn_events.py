"""``@trigger``/``@trigger_on_finish`` on Step Functions: the EventBridge rule beside the
machine, checked against botocore's ``events`` model and deployed in moto; its pattern and
InputTransformer applied by moto's EventBridge; the execution it would start run in moto's
ASL interpreter with the callback workers.

moto stores a rule's Step Functions target but does not start executions from it (its
events backend delivers to logs, SQS, archives and buses only), and has no
``TestEventPattern``. So each test also puts the emitted pattern and InputTransformer on a
probe rule whose target is an SQS queue: moto matches the event and transforms it, and the
message it delivers is the execution input the state machine is then started with.

Regenerate the goldens with ``FLOWC_REGEN=1 .venv/bin/python -m pytest
tests/stepfunctions/test_sfn_events.py -k golden``.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from backends.base import EmitResult
from flowc.diagnostics import Severity
from tests.support.golden import regenerating
from tests.support.runs import artifacts
from tests.support.sfn import (
    GOLDEN_DIR,
    asl_validator_errors,
    emit,
    has_asl_validator,
    s3_store,
)
from tests.support.sfn_harness import ROLE, Execution, MotoServer, WorkerPool, execute

FLOWS = Path("tests/argo/event_flows")  # engine-neutral flows shared with the Argo tests
GOLDENS = {"triggered": "trigger", "downstream": "trigger_on_finish"}
ACCOUNT, REGION = "123456789012", "us-east-1"
BUCKET = "flowc-sfn-events"
TRIGGER_OPTIONS = {"events_role_arn": ROLE, "region": REGION, "account_id": ACCOUNT}
_counter = itertools.count()


def _emit(flow: str, **extra: str) -> EmitResult:
    return emit(
        str(FLOWS / f"{flow}.py"),
        datastore_root=f"s3://{BUCKET}/golden",
        extra={**TRIGGER_OPTIONS, **extra},
    )


def _files(result: EmitResult) -> dict[str, Any]:
    errors = [d.message for d in result.diagnostics if d.severity == Severity.ERROR]
    assert not errors, errors
    return {f.path.split(".", 1)[1]: json.loads(f.content) for f in result.files}


@pytest.mark.parametrize("flow", sorted(GOLDENS))
def test_golden(flow: str, tmp_path: Path) -> None:
    result = _emit(flow)
    _files(result)
    for emitted in result.files:
        suffix = emitted.path.split(".", 1)[1]  # asl.json or rule.json
        name = GOLDENS[flow] + (".json" if suffix == "asl.json" else f".{suffix}")
        golden = GOLDEN_DIR / "events" / name
        if regenerating():
            golden.write_text(emitted.content, encoding="utf-8")
        assert emitted.content == golden.read_text(encoding="utf-8")
    assert [f.content for f in _emit(flow).files] == [f.content for f in result.files]
    from statelint.linter import Linter

    assert [str(p) for p in Linter.validate(json.loads(result.files[0].content))] == []
    if has_asl_validator():
        machine = tmp_path / "machine.json"
        machine.write_text(result.files[0].content, encoding="utf-8")
        assert asl_validator_errors([machine]) is None


@pytest.mark.parametrize("flow", sorted(GOLDENS))
def test_rule_requests_fit_botocore_model(flow: str) -> None:
    from botocore.session import get_session
    from botocore.validate import ParamValidator

    model = get_session().get_service_model("events")
    rule = _files(_emit(flow))["rule.json"]
    assert set(rule) == {"PutRule", "PutTargets"}
    for operation, request in rule.items():
        report = ParamValidator().validate(request, model.operation_model(operation).input_shape)
        assert not report.has_errors(), report.generate_report()


def test_patterns() -> None:
    triggered = json.loads(_files(_emit("triggered"))["rule.json"]["PutRule"]["EventPattern"])
    assert triggered == {"detail-type": ["data.ready"]}
    sourced = _files(_emit("triggered", event_source="shop"))["rule.json"]["PutRule"]
    assert json.loads(sourced["EventPattern"])["source"] == ["shop"]
    finished = json.loads(_files(_emit("downstream"))["rule.json"]["PutRule"]["EventPattern"])
    assert finished == {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {
            "status": ["SUCCEEDED"],
            "stateMachineArn": [f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:UpstreamFlow"],
        },
    }


def test_missing_role_names_the_option() -> None:
    result = emit(str(FLOWS / "triggered.py"), extra={"region": REGION, "account_id": ACCOUNT})
    errors = [d for d in result.diagnostics if d.severity == Severity.ERROR]
    assert [d.code for d in errors] == ["FC305"]
    assert "events_role_arn" in errors[0].message and errors[0].span is not None
    assert not result.files


def test_several_events_and_options_are_rejected() -> None:
    result = emit(str(FLOWS / "two_events.py"), extra=TRIGGER_OPTIONS)
    errors = [d for d in result.diagnostics if d.severity == Severity.ERROR]
    assert [d.code for d in errors] == ["FC308", "FC308"]
    assert "all of them" in errors[0].message and "options" in errors[1].message
    assert not result.files


def _deploy_rule(server: MotoServer, rule: dict[str, Any]) -> None:
    """The emitted requests, verbatim, in moto's EventBridge; what it stored is what was sent."""
    events = server.client("events")
    events.put_rule(**rule["PutRule"])
    put = rule["PutTargets"]
    assert events.put_targets(**put)["FailedEntryCount"] == 0
    described = events.describe_rule(Name=put["Rule"], EventBusName=put["EventBusName"])
    assert described["EventPattern"] == rule["PutRule"]["EventPattern"]
    stored = events.list_targets_by_rule(Rule=put["Rule"], EventBusName=put["EventBusName"])
    assert stored["Targets"] == put["Targets"]


def _delivered_input(
    server: MotoServer, rule: dict[str, Any], entries: list[dict[str, Any]]
) -> list[Any]:
    """The execution inputs moto's EventBridge makes of ``entries`` with the emitted pattern
    and InputTransformer (on a probe bus whose rule targets an SQS queue)."""
    events, sqs = server.client("events"), server.client("sqs")
    n = next(_counter)
    bus = f"flowc-probe-{n}"
    events.create_event_bus(Name=bus)
    queue = sqs.create_queue(QueueName=f"flowc-probe-{n}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    target = dict(rule["PutTargets"]["Targets"][0], Arn=queue_arn["Attributes"]["QueueArn"])
    del target["RoleArn"]
    events.put_rule(Name="probe", EventBusName=bus, EventPattern=rule["PutRule"]["EventPattern"])
    events.put_targets(Rule="probe", EventBusName=bus, Targets=[target])
    sent = events.put_events(Entries=[dict(e, EventBusName=bus) for e in entries])
    assert sent["FailedEntryCount"] == 0
    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    return [json.loads(m["Body"]) for m in received.get("Messages", [])]


def _run(
    server: MotoServer,
    flow: str,
    prefix: str,
    run_id: str,
    execution_input: Any,
    machine: str | None = None,
) -> tuple[Execution, dict[str, Any], Any]:
    """Run ``flow`` (a name in FLOWS, or a path) once in moto on the callback workers."""
    n = next(_counter)
    s3, sqs = server.client("s3"), server.client("sqs")
    if BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=BUCKET)
    queue = sqs.create_queue(QueueName=f"flowc-event-tasks-{n}")["QueueUrl"]
    path = flow if flow.endswith(".py") else str(FLOWS / f"{flow}.py")
    name = machine or f"{Path(path).stem}-{n}"
    result = emit(
        path,
        datastore_root=f"s3://{BUCKET}/{prefix}",
        extra={
            **TRIGGER_OPTIONS,
            "compute": "callback",
            "queue_url": queue,
            "state_machine_name": name,
        },
    )
    files = _files(result)
    with WorkerPool(server, queue, size=2) as pool:
        done = execute(server, json.dumps(files["asl.json"]), name, run_id, execution_input)
    failed = [f"{r.step}\n{r.stderr[-2000:]}" for r in pool.runs if r.returncode]
    assert done.status == "SUCCEEDED", f"{done.error} {done.cause} {failed}"
    return done, files, s3_store(s3, BUCKET, prefix)


def test_event_starts_run_with_mapped_parameters(moto_server: MotoServer) -> None:
    rule = _files(_emit("triggered"))["rule.json"]
    _deploy_rule(moto_server, rule)
    detail = {"value": 5, "tag": "fresh", "size": 99}
    inputs = _delivered_input(
        moto_server,
        rule,
        [
            {"Source": "shop", "DetailType": "data.ready", "Detail": json.dumps(detail)},
            {"Source": "shop", "DetailType": "data.stale", "Detail": json.dumps(detail)},
        ],
    )
    assert len(inputs) == 1  # the other detail-type does not match
    event = inputs[0]["flowc_trigger"]
    assert (event["type"], event["name"], event["payload"]) == ("event", "data.ready", detail)
    _, files, store = _run(moto_server, "triggered", "triggered", "event-run", inputs[0])
    start = artifacts(store, "TriggeredFlow", "event-run")["start/_"]
    # Mapped fields fill their parameters; 'size' is not mapped and keeps its default.
    assert (start["alpha"], start["label"], start["size"]) == (5, "fresh", 7)
    assert start["seen"] == [("data.ready", "event", event["id"], detail)]
    assert artifacts(store, "TriggeredFlow", "event-run")["end/_"]["end_seen"] == "data.ready"
    # The target's ARN (built from the region and account options) names the machine.
    target = files["rule.json"]["PutTargets"]["Targets"][0]
    sfn = moto_server.client("stepfunctions")
    assert sfn.describe_state_machine(stateMachineArn=target["Arn"])["name"].startswith(
        "triggered-"
    )


def test_missing_payload_field_keeps_the_default(moto_server: MotoServer) -> None:
    rule = _files(_emit("triggered"))["rule.json"]
    entry = {"Source": "shop", "DetailType": "data.ready", "Detail": json.dumps({"tag": "x"})}
    (given,) = _delivered_input(moto_server, rule, [entry])
    _, _, store = _run(moto_server, "triggered", "partial", "partial-run", given)
    start = artifacts(store, "TriggeredFlow", "partial-run")["start/_"]
    assert (start["alpha"], start["label"]) == (1, "x")


def test_manual_start_has_no_trigger(moto_server: MotoServer) -> None:
    flow = "tests/stepfunctions/flows/optional_trigger.py"
    _, _, store = _run(moto_server, flow, "manual", "manual-run", {"alpha": 3})
    start = artifacts(store, "OptionalTriggerFlow", "manual-run")["start/_"]
    assert (start["alpha"], start["triggered"]) == (3, False)


def test_finished_upstream_execution_starts_downstream(moto_server: MotoServer) -> None:
    _run(moto_server, "upstream", "chain", "up-run-1", {}, machine="UpstreamFlow")
    rule = _files(_emit("downstream"))["rule.json"]
    _deploy_rule(moto_server, rule)
    sfn = moto_server.client("stepfunctions")
    execution = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:UpstreamFlow:up-run-1"
    described = sfn.describe_execution(executionArn=execution)
    # Step Functions' status-change event of that execution (moto publishes none).
    detail = {key: described[key] for key in ("executionArn", "stateMachineArn", "name", "status")}
    assert detail["status"] == "SUCCEEDED"
    change = {"Source": "aws.states", "DetailType": "Step Functions Execution Status Change"}
    entries = [
        dict(change, Detail=json.dumps(detail)),
        dict(change, Detail=json.dumps(dict(detail, status="FAILED"))),
        dict(change, Detail=json.dumps(dict(detail, stateMachineArn=execution + "x"))),
    ]
    (given,) = _delivered_input(moto_server, rule, entries)
    event = given["flowc_trigger"]
    assert (event["type"], event["id"]) == ("run", "UpstreamFlow/up-run-1/end/_")
    _, _, store = _run(moto_server, "downstream", "chain", "down-run-1", given)
    start = artifacts(store, "DownstreamFlow", "down-run-1")["start/_"]
    assert start["upstream"] == "UpstreamFlow/up-run-1"
    assert start["number"] == 42
    assert start["event"] == ("metaflow.UpstreamFlow.end", "run")


def test_tasks_in_foreach_and_branches_get_the_event(moto_server: MotoServer) -> None:
    flow = "tests/stepfunctions/flows/trigger_fan_out.py"
    given = {"flowc_trigger": {"type": "event", "name": "data.ready", "id": "e-7", "payload": {}}}
    _, _, store = _run(moto_server, flow, "fan-out", "fan-out-run", given)
    found = artifacts(store, "TriggerFanOutFlow", "fan-out-run")
    assert found["gather/_"]["seen"] == ["e-7", "e-7"]
    assert found["join/_"]["sides"] == ["e-7", "e-7"]


def test_project_flow_waits_for_its_branch_upstream() -> None:
    result = emit(str(FLOWS / "project_downstream.py"), extra=TRIGGER_OPTIONS)
    rule = _files(result)["rule.json"]
    pattern = json.loads(rule["PutRule"]["EventPattern"])
    upstream = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:fraud-prod-UpstreamFlow"
    assert pattern["detail"]["stateMachineArn"] == [upstream]
    assert rule["PutRule"]["Name"] == "fraud-prod-ProjectDownstreamFlow"
    template = rule["PutTargets"]["Targets"][0]["InputTransformer"]["InputTemplate"]
    assert '"name": "metaflow.fraud.prod.UpstreamFlow.end"' in template


def test_parameter_named_like_the_input_key_is_rejected(tmp_path: Path) -> None:
    source = (FLOWS / "triggered.py").read_text(encoding="utf-8")
    flow = tmp_path / "clash.py"
    flow.write_text(source.replace('Parameter("size"', 'Parameter("flowc_trigger"'), "utf-8")
    result = emit(str(flow), extra=TRIGGER_OPTIONS)
    errors = [d for d in result.diagnostics if d.severity == Severity.ERROR]
    assert [d.code for d in errors] == ["FC304"] and "flowc_trigger" in errors[0].message
    assert not result.files
