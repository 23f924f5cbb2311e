"""Publishing events as Metaflow's ``ArgoEvent`` does, from the API and from ``flowc
event publish``, to a real local HTTP server standing in for the Argo Events webhook."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowc.cli import cli
from runtime_shim.aliases import install
from tests.support.webhook import Webhook


@pytest.fixture(autouse=True)
def no_configured_webhook(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in (
        "METAFLOW_ARGO_EVENTS_WEBHOOK_URL",
        "ARGO_EVENTS_WEBHOOK_URL",
        "ARGO_WORKFLOW_TEMPLATE",
        "METAFLOW_ARGO_EVENTS_WEBHOOK_AUTH",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("METAFLOW_SERVICE_RETRY_COUNT", "1")


def test_metaflow_import_paths_publish_the_payload() -> None:
    install()
    from metaflow.integrations import ArgoEvent
    from metaflow.plugins.argo.argo_events import ArgoEvent as Same

    assert ArgoEvent is Same
    with Webhook() as webhook:
        event_id = (
            ArgoEvent("data.ready", url=webhook.url, payload={"kind": "daily"})
            .add_to_payload("value", 5)
            .publish(payload={"extra": [1]})
        )
    (body,) = webhook.bodies
    payload = body["payload"]
    assert body["name"] == payload["name"] == "data.ready"
    assert payload["id"] == event_id
    assert (payload["kind"], payload["value"], payload["extra"]) == ("daily", "5", [1])
    assert payload["generated-by-metaflow"] is True
    assert abs(payload["timestamp"] - time.time()) < 60
    assert payload["utc_date"] == time.strftime("%Y%m%d", time.gmtime(payload["timestamp"]))
    assert webhook.headers[0]["Content-Type"] == "application/json"


def test_configured_url_and_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    from runtime_shim.argo_events import ArgoEvent

    with Webhook() as webhook:
        monkeypatch.setenv("METAFLOW_ARGO_EVENTS_WEBHOOK_URL", webhook.url)
        monkeypatch.setenv("ARGO_WORKFLOW_TEMPLATE", "some-flow")  # a deployed task
        monkeypatch.setenv("METAFLOW_ARGO_EVENTS_WEBHOOK_AUTH", "service")
        monkeypatch.setenv("METAFLOW_SERVICE_HEADERS", json.dumps({"X-Api-Key": "k1"}))
        assert ArgoEvent("e", access_token="t0").safe_publish() is not None
    assert webhook.headers[0]["Authorization"] == "Bearer t0"
    assert webhook.headers[0]["X-Api-Key"] == "k1"


def test_safe_publish_outside_a_deployment_sends_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from runtime_shim.argo_events import ArgoEvent, ArgoEventException

    with Webhook() as webhook:
        monkeypatch.setenv("METAFLOW_ARGO_EVENTS_WEBHOOK_URL", webhook.url)
        assert ArgoEvent("e", url=webhook.url).safe_publish() is None
        with pytest.raises(ArgoEventException, match="was not published"):
            ArgoEvent("e", url=webhook.url).safe_publish(ignore_errors=False)
    assert webhook.bodies == []
    assert "Argo Event (e) was not published" in capsys.readouterr().err


def test_a_refused_event_is_printed_or_raised(capsys: pytest.CaptureFixture[str]) -> None:
    from runtime_shim.argo_events import ArgoEvent, ArgoEventException

    with Webhook(status=503) as webhook:
        assert ArgoEvent("e", url=webhook.url).publish() is None
        with pytest.raises(ArgoEventException, match="503"):
            ArgoEvent("e", url=webhook.url).publish(ignore_errors=False)
    assert "Unable to publish Argo Event (e)" in capsys.readouterr().err


def test_cli_publishes_and_prints_the_id() -> None:
    with Webhook() as webhook:
        result = CliRunner().invoke(
            cli,
            [
                "event",
                "publish",
                "data.ready",
                "--payload",
                "value=5",
                "--payload",
                "tag=a=b",
                "--url",
                webhook.url,
            ],
        )
    assert result.exit_code == 0, result.output
    (body,) = webhook.bodies
    assert body["name"] == "data.ready"
    assert (body["payload"]["value"], body["payload"]["tag"]) == ("5", "a=b")
    assert result.stdout.strip() == body["payload"]["id"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["x"], 2, "no webhook URL"),
        (["x", "--payload", "novalue", "--url", "http://127.0.0.1:9/"], 2, "is not KEY=VALUE"),
        (["x", "--url", "http://127.0.0.1:9/"], 1, "Unable to publish Argo Event (x)"),
    ],
)
def test_cli_errors(args: list[str], code: int, message: str) -> None:
    result = CliRunner().invoke(cli, ["event", "publish", *args])
    assert result.exit_code == code
    assert message in result.output


def test_a_local_run_publishes_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tests.support.runs import run_local

    with Webhook() as webhook:
        monkeypatch.setenv("METAFLOW_ARGO_EVENTS_WEBHOOK_URL", webhook.url)
        code, _ = run_local("tests/argo/event_flows/upstream.py", str(tmp_path))
    assert code == 0
    assert webhook.bodies == []
