"""``flowc ui`` (and ``flowc card server``): the read-only run viewer in a web browser.

It binds 127.0.0.1 unless ``--host`` says otherwise (the viewer shows every artifact of
the datastore, so exposing it is a choice to make explicitly) on port 8324, Metaflow's
card-server port. docs/ui.md describes the pages.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from flowc.commands.runs import _root, datastore_option


def server_options(command: Callable[..., None]) -> Callable[..., None]:
    """``--host``, ``--port`` and ``--poll-interval``, shared by every viewer command."""
    options = (
        click.option(
            "--host",
            default="127.0.0.1",
            show_default=True,
            help="Address to listen on (0.0.0.0 exposes the viewer to the network).",
        ),
        click.option(
            "--port",
            default=8324,
            show_default=True,
            type=click.IntRange(0, 65535),
            help="Port to listen on (0: any free port).",
        ),
        click.option(
            "--poll-interval",
            default=1.0,
            show_default=True,
            type=click.FloatRange(0.1, 3600),
            help="Seconds between a run page's updates while its run is running.",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


def serve_or_fail(root: str, host: str, port: int, poll_interval: float, path: str = "/") -> None:
    """Serve; an address that cannot be bound is a user error (exit 1), not a traceback."""
    from flowc.ui import serve

    try:
        serve(root, host, port, poll_interval, path)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from None


@click.command(help="Serve the run viewer: flows, runs, tasks and their cards (read-only).")
@datastore_option
@server_options
def ui(datastore: str | None, host: str, port: int, poll_interval: float) -> None:
    serve_or_fail(_root(datastore), host, port, poll_interval)
