"""Where cards live in the datastore, and how their file names carry type, id and hash.

A task's cards are files of its attempt (docs/architecture.md):

```
FLOW/runs/RUN/STEP/TASK/attempt-N/cards/TYPE-HASH.html       a card without an id
FLOW/runs/RUN/STEP/TASK/attempt-N/cards/TYPE-ID-HASH.html    a card with @card(id=ID)
```
They are written before the task's record, so a committed task has all its cards, and
read from the attempt the commit names (a task a resume cloned reads its origin's). The
names are Metaflow's (``TYPE[-ID]-HASH.html``), so ``card list --as-json`` reports the
same ``type``/``id``/``hash``/``filename`` fields. HASH identifies one card of one
attempt: the first 32 hex digits of sha256 over the task pathspec, the attempt and the
decorator's position, so it is stable when the same attempt is rendered again.
"""

from __future__ import annotations

from hashlib import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from runtime_shim.datastore.layout import FlowDatastore

CARDS_DIR = "cards"
CARD_SUFFIX = ".html"
# ``card get --hash`` accepts this many leading characters of a hash (as Metaflow does).
NUM_SHORT_HASH_CHARS = 5


class CardFile:
    """One stored card, as its file name describes it."""

    __slots__ = ("filename", "hash", "id", "key", "type")

    def __init__(self, key: str, type: str, hash: str, id: str | None) -> None:
        self.key = key
        self.type = type
        self.hash = hash
        self.id = id
        self.filename = key.rsplit("/", 1)[-1]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "hash": self.hash, "type": self.type, "filename": self.filename}


def card_hash(pathspec: str, attempt: int, position: int) -> str:
    return sha256(f"{pathspec}\n{attempt}\n{position}".encode()).hexdigest()[:32]


def card_filename(card_type: str, hash: str, card_id: str | None = None) -> str:
    middle = f"{card_id}-" if card_id is not None else ""
    return f"{card_type}-{middle}{hash}{CARD_SUFFIX}"


def parse_card_filename(key: str) -> CardFile | None:
    """The card a key names; None for a file that is not a card."""
    name = key.rsplit("/", 1)[-1]
    if not name.endswith(CARD_SUFFIX):
        return None
    parts = name[: -len(CARD_SUFFIX)].split("-")
    if len(parts) == 2:
        return CardFile(key, parts[0], parts[1], None)
    if len(parts) == 3:
        return CardFile(key, parts[0], parts[2], parts[1])
    return None


def write_card(
    ds: FlowDatastore,
    run: str,
    step: str,
    task: str,
    attempt: int,
    filename: str,
    content: str,
) -> str:
    key = f"{ds.attempt_prefix(run, step, task, attempt)}/{CARDS_DIR}/{filename}"
    ds.store.put(key, content.encode("utf-8", errors="replace"))
    return key


def committed_cards(ds: FlowDatastore, run: str, step: str, task: str) -> list[CardFile] | None:
    """The cards of a committed task, by file name; None if the task is not committed."""
    record = ds.committed(run, step, task)
    if record is None:
        return None
    prefix = f"{ds.output_prefix(run, step, task, record)}/{CARDS_DIR}"
    found = (parse_card_filename(f"{prefix}/{n}") for n in ds.store.list_children(prefix))
    return [c for c in found if c is not None]


def select_cards(
    cards: list[CardFile],
    card_type: str | None = None,
    card_hash: str | None = None,
    card_id: str | None = None,
) -> list[CardFile]:
    """Metaflow's filter: the type always; then the hash prefix if given, else the id."""
    out = []
    for card in cards:
        if card_type is not None and card.type != card_type:
            continue
        if card_hash is not None:
            if not card.hash.startswith(card_hash):
                continue
        elif card_id is not None and card.id != card_id:
            continue
        out.append(card)
    return out


def read_card(ds: FlowDatastore, card: CardFile) -> str:
    return ds.store.get(card.key).decode("utf-8", errors="replace")
