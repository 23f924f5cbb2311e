"""``flowc event publish NAME``: publish an event to Argo Events, as ``ArgoEvent`` does.

The event reaches the Sensors of flows deployed with ``@trigger(event=NAME)``; the
payload's fields fill their mapped parameters. The webhook URL is ``--url`` or the
configured one (``METAFLOW_ARGO_EVENTS_WEBHOOK_URL``).
"""

from __future__ import annotations

import click


def _payload(pairs: tuple[str, ...]) -> dict[str, str]:
    payload = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--payload")
        payload[key] = value
    return payload


@click.group("event")
def event() -> None:
    """Publish events that start deployed flows (Argo Events)."""


@event.command("publish")
@click.argument("name")
@click.option(
    "--payload",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="A payload field (repeatable); values are text, as ArgoEvent.add_to_payload makes them.",
)
@click.option(
    "--url", default=None, help="Webhook URL (default: $METAFLOW_ARGO_EVENTS_WEBHOOK_URL)."
)
@click.option("--access-token", default=None, help="Sent as a bearer Authorization header.")
def publish(name: str, pairs: tuple[str, ...], url: str | None, access_token: str | None) -> None:
    """Publish event NAME; print its id. Exit 1 when it could not be published."""
    from runtime_shim.argo_events import ArgoEvent, ArgoEventException, webhook_url

    if not (url or webhook_url()):
        raise click.UsageError("no webhook URL: pass --url or set METAFLOW_ARGO_EVENTS_WEBHOOK_URL")
    argo_event = ArgoEvent(name, url=url, access_token=access_token)
    for key, value in _payload(pairs).items():
        argo_event.add_to_payload(key, value)
    try:
        event_id = argo_event.publish(ignore_errors=False)
    except ArgoEventException as error:
        click.echo(f"flowc: {error}", err=True)
        raise SystemExit(1) from None
    click.echo(event_id)
