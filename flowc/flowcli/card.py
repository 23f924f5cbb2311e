"""``python flow.py card get|list|view``: reading a flow's cards from the command line.

Shaped like Metaflow's ``card`` verb. PATHSPEC is ``STEP`` (in the latest run),
``RUN/STEP`` or ``RUN/STEP/TASK``. A missing card is reported on stderr with the headline
of ``CardNotPresentException`` ("Card not found in datastore") and exit code 1, which is
how tools tell "no card" from a failure.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from flowc.commands.ui import serve_or_fail, server_options
from flowc.flowcli.context import flow_context
from runtime_shim.cards.client import Card, get_cards
from runtime_shim.cards.exception import CardNotPresentException, TaskNotFoundException
from runtime_shim.cards.store import NUM_SHORT_HASH_CHARS, select_cards
from runtime_shim.exceptions import MetaflowException


@click.group(help="Commands related to @card decorator.")
def card() -> None:
    pass


def _reports_card_errors(command: Callable[..., None]) -> Callable[..., None]:
    """A MetaflowException becomes its headline and message on stderr, exit 1."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except MetaflowException as exc:
            click.echo(f"    {exc.headline}:\n    {exc}", err=True)
            sys.exit(1)

    return run


def _read_options(command: Callable[..., None]) -> Callable[..., None]:
    options = (
        click.option("--hash", default=None, help="Hash of the stored HTML"),
        click.option("--type", "card_type", default=None, help="Type of card"),
        click.option("--id", "card_id", default=None, help="Id of the card"),
        click.option(
            "--follow-resumed/--no-follow-resumed",
            default=True,
            show_default=True,
            help="Read the cards of the origin task of a resumed task.",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


def _echo(message: str) -> None:
    if not flow_context().quiet:
        click.echo(message, err=True)


def resolve_task(pathspec: str) -> Any:
    """The client ``Task`` that PATHSPEC names; TaskNotFoundException if there is none."""
    from flowc import client

    ctx = flow_context()
    parts = pathspec.split("/")
    if len(parts) not in (1, 2, 3):
        raise MetaflowException(
            "The PATHSPEC argument should be of the form 'stepname' Or '<runid>/<stepname>' "
            "Or '<runid>/<stepname>/<taskid>'"
        )
    if hasattr(client, "namespace"):
        client.namespace(None)
    flow = client.Flow(ctx.flow_name, datastore=ctx.datastore_root)
    resolved_from = {1: "stepname", 2: "step_pathspec", 3: "task_pathspec"}[len(parts)]
    run_id = None
    try:
        if len(parts) == 1:
            run = flow.latest_run
            run_id = run.pathspec if run is not None else None
            task = run[parts[0]].task if run is not None else None
        elif len(parts) == 2:
            task = flow[parts[0]][parts[1]].task
        else:
            task = flow[parts[0]][parts[1]][parts[2]]
    except (LookupError, MetaflowException):
        task = None
    if task is None:
        raise TaskNotFoundException(pathspec, resolved_from, run_id=run_id)
    return task


def resolve_cards(
    pathspec: str,
    card_type: str | None,
    hash: str | None,
    card_id: str | None,
    follow_resumed: bool,
) -> tuple[str, list[Card]]:
    """(task pathspec, its matching cards); CardNotPresentException when none match."""
    task = resolve_task(pathspec)
    origin = task.origin_pathspec if follow_resumed else None
    _echo(
        f"Resolving card resumed from: {origin}" if origin else f"Resolving card: {task.pathspec}"
    )
    try:
        cards = list(get_cards(task))
    except CardNotPresentException:
        cards = []
    chosen = _matching(cards, card_type, hash, card_id)
    if not chosen:
        raise CardNotPresentException(
            origin or task.pathspec, card_type=card_type, card_hash=hash, card_id=card_id
        )
    return origin or task.pathspec, chosen


def _matching(
    cards: list[Card], card_type: str | None, hash: str | None, card_id: str | None
) -> list[Card]:
    files = select_cards([c._file for c in cards], card_type, hash, card_id)
    return [c for c in cards if c._file in files]


@card.command(help="Get the HTML of a card: save it to PATH, or print it.")
@click.argument("pathspec")
@click.argument("path", required=False)
@_read_options
@_reports_card_errors
def get(
    pathspec: str,
    path: str | None,
    hash: str | None,
    card_type: str | None,
    card_id: str | None,
    follow_resumed: bool,
) -> None:
    task_pathspec, cards = resolve_cards(pathspec, card_type, hash, card_id, follow_resumed)
    if len(cards) > 1:
        _list_plainly(task_pathspec, cards)
        return
    html = cards[0].get()
    if path is None:
        click.echo(html)
        return
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(html)


@card.command(help="Open a card in the web browser (a local copy; it needs no network).")
@click.argument("pathspec")
@_read_options
@_reports_card_errors
def view(
    pathspec: str,
    hash: str | None,
    card_type: str | None,
    card_id: str | None,
    follow_resumed: bool,
) -> None:
    task_pathspec, cards = resolve_cards(pathspec, card_type, hash, card_id, follow_resumed)
    if len(cards) > 1:
        _list_plainly(task_pathspec, cards)
        return
    click.echo(cards[0].view())


@card.command(name="list", help="List the cards of a task (or of every task of the latest run).")
@click.argument("pathspec", required=False)
@_read_options
@click.option("--as-json", is_flag=True, help="Print all available cards as a JSON object")
@click.option("--file", default=None, help="Save the available card list to file.")
@_reports_card_errors
def list_cards(
    pathspec: str | None,
    hash: str | None,
    card_type: str | None,
    card_id: str | None,
    follow_resumed: bool,
    as_json: bool,
    file: str | None,
) -> None:
    if pathspec is None:
        _list_run(hash, card_type, card_id, follow_resumed, as_json, file)
        return
    task_pathspec, cards = resolve_cards(pathspec, card_type, hash, card_id, follow_resumed)
    if as_json:
        _write_json(_listing(task_pathspec, cards), file)
    else:
        _list_plainly(task_pathspec, cards)


def _listing(task_pathspec: str, cards: list[Card]) -> dict[str, Any]:
    return {"pathspec": task_pathspec, "cards": [c._file.to_json() for c in cards]}


def _write_json(data: Any, file: str | None) -> None:
    if file:
        with open(file, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
    else:
        click.echo(json.dumps(data, indent=4))


def _list_plainly(task_pathspec: str, cards: list[Card]) -> None:
    click.echo(f"Found {len(cards)} card matching for your query...", err=True)
    for c in cards:
        click.echo(
            f"\n\tCard Id: {c.id}\n\tCard Type: {c.type}\n\tCard Hash: {c.hash}\n"
            f"\tCard Path: {c.path}",
            err=True,
        )
    step_task = "/".join(task_pathspec.split("/")[1:])
    click.echo(
        f"\n\tExample access from CLI via: \n\t >>> python {flow_context().flow_file} card get "
        f"{step_task} --hash {cards[0].hash[:NUM_SHORT_HASH_CHARS]}\n",
        err=True,
    )


def _list_run(
    hash: str | None,
    card_type: str | None,
    card_id: str | None,
    follow_resumed: bool,
    as_json: bool,
    file: str | None,
) -> None:
    from flowc import client

    ctx = flow_context()
    run = client.Flow(ctx.flow_name, datastore=ctx.datastore_root).latest_run
    listings = []
    for step in run or []:
        for task in step:
            pathspec = "/".join(task.pathspec.split("/")[1:])
            try:
                found = resolve_cards(pathspec, card_type, hash, card_id, follow_resumed)
            except CardNotPresentException:
                continue
            listings.append(_listing(*found))
            if not as_json:
                _list_plainly(*found)
    if not listings:
        raise CardNotPresentException(
            run.pathspec if run is not None else ctx.flow_name,
            card_hash=hash,
            card_type=card_type,
            card_id=card_id,
        )
    if as_json:
        _write_json(listings, file)


@card.command(help="Serve the run viewer (read-only) at the flow's latest run, or --run-id.")
@click.option("--run-id", default=None, help="Open this run's page (default: the latest run).")
@server_options
def server(run_id: str | None, host: str, port: int, poll_interval: float) -> None:
    from flowc.client import datastore_root

    ctx = flow_context()
    root = datastore_root(ctx.datastore_root)
    path = f"/flows/{ctx.flow_name}"
    if run_id is not None:
        path = f"/runs/{ctx.flow_name}/{run_id}"
    serve_or_fail(root, host, port, poll_interval, path)
