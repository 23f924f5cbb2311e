"""``flowc card list|get|view PATHSPEC``: a task's cards, named by its pathspec.

``flowc card server`` is ``flowc ui``, the run viewer (``flowc.commands.ui``).

The same reading as a flow file's ``card`` verb (``flowc.flowcli.card``) without the flow
file: PATHSPEC is ``[FLOW/]RUN/STEP/TASK``, the datastore ``--datastore`` (default
``$FLOWC_DATASTORE`` or ``./.flowc``). ``--type``, ``--id`` and ``--hash`` filter as
Metaflow's ``card`` verb does. A task without a matching card is exit code 1 with the
reason on stderr.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from flowc.commands.runs import _root, datastore_option, found, split_pathspec
from flowc.commands.ui import serve_or_fail, server_options


@click.group(help="Read the cards of a task: list, get or view them; or serve the viewer.")
def card() -> None:
    pass


def _filters(command: Callable[..., None]) -> Callable[..., None]:
    options = (
        click.argument("pathspec", metavar="[FLOW/]RUN/STEP/TASK"),
        datastore_option,
        click.option("--type", "card_type", default=None, help="Only cards of this type."),
        click.option("--id", "card_id", default=None, help="Only the card with this id."),
        click.option("--hash", default=None, help="Only the card whose hash starts so."),
    )
    for option in reversed(options):
        command = option(command)

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        from runtime_shim.exceptions import MetaflowException

        try:
            command(*args, **kwargs)
        except MetaflowException as exc:
            raise click.ClickException(f"{exc.headline}: {exc}") from None

    return run


def _cards(
    pathspec: str,
    datastore: str | None,
    card_type: str | None,
    card_id: str | None,
    hash: str | None,
) -> tuple[str, list[Any]]:
    """(task pathspec, its matching cards); CardNotPresentException when none match."""
    from flowc.client import Task
    from runtime_shim.cards.client import get_cards
    from runtime_shim.cards.exception import CardNotPresentException
    from runtime_shim.cards.store import select_cards

    root = _root(datastore)
    flow, run, step, key = split_pathspec(pathspec, root, 3)
    task = found(lambda: Task(f"{flow}/{run}/{step}/{key or '_'}", root, _namespace_check=False))
    cards = list(get_cards(task))
    files = select_cards([c._file for c in cards], card_type, hash, card_id)
    chosen = [c for c in cards if c._file in files]
    if not chosen:
        raise CardNotPresentException(
            task.pathspec, card_type=card_type, card_hash=hash, card_id=card_id
        )
    return task.pathspec, chosen


def _one(cards: list[Any]) -> Any:
    if len(cards) > 1:
        names = ", ".join(f"{c.type}{'/' + c.id if c.id else ''} ({c.hash[:8]})" for c in cards)
        raise click.ClickException(
            f"{len(cards)} cards match: {names}; choose one with --type, --id or --hash"
        )
    return cards[0]


@card.command(name="list", help="List a task's cards (type, id, hash, file).")
@_filters
@click.option("--as-json", is_flag=True, help="Print them as JSON (Metaflow's fields).")
def list_cards(
    pathspec: str,
    datastore: str | None,
    card_type: str | None,
    card_id: str | None,
    hash: str | None,
    as_json: bool,
) -> None:
    task, cards = _cards(pathspec, datastore, card_type, card_id, hash)
    if as_json:
        listed = [c._file.to_json() for c in cards]
        click.echo(json.dumps({"pathspec": task, "cards": listed}, indent=4))
        return
    for c in cards:
        click.echo(f"{c.type}\t{c.id or '-'}\t{c.hash}\t{c.path}")


@card.command(help="Print a card's HTML, or save it to PATH.")
@_filters
@click.argument("path", required=False)
def get(
    pathspec: str,
    datastore: str | None,
    card_type: str | None,
    card_id: str | None,
    hash: str | None,
    path: str | None,
) -> None:
    _task, cards = _cards(pathspec, datastore, card_type, card_id, hash)
    html = _one(cards).get()
    if path is None:
        click.echo(html)
        return
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(html)


@card.command(help="Open a card in the web browser (a local copy; it needs no network).")
@_filters
def view(
    pathspec: str,
    datastore: str | None,
    card_type: str | None,
    card_id: str | None,
    hash: str | None,
) -> None:
    _task, cards = _cards(pathspec, datastore, card_type, card_id, hash)
    click.echo(_one(cards).view())


@card.command(help="Serve the run viewer, where every task shows its cards (flowc ui).")
@datastore_option
@server_options
def server(datastore: str | None, host: str, port: int, poll_interval: float) -> None:
    serve_or_fail(_root(datastore), host, port, poll_interval)
