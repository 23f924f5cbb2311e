"""Create-if-absent for S3-compatible stores that lack conditional writes.

The normal path is ``PUT`` with ``If-None-Match: *``: the store itself lets exactly one
writer create a key. Some S3-compatible stores reject that header, or ignore it. For
those (``FLOWC_S3_CONDITIONAL_WRITES=off``, or ``auto`` after a ``NotImplemented``)
a commit runs an election instead:

1. if the key exists, the caller lost;
2. the caller writes a unique, never-overwritten claim object
   ``.flowc-claims/<key>/<uuid>`` and waits ``settle`` seconds;
3. it lists all claims for the key; the winner is the one with the smallest
   (server ``LastModified``, name). Ordering by the *server's* clock means a slow claim
   upload simply gets a late timestamp; ``settle`` only has to cover the time between a
   claim being stamped and it being visible in a listing (one request on a strongly
   consistent store, plus the one-second granularity of ``LastModified``);
4. the winner re-checks that the key is absent and writes it with a plain ``PUT``;
   a loser waits until the key appears (so that, as with a conditional write, the
   winning value is readable when ``put`` returns False) and fails loudly if it never
   does.

Claims older than ``stale`` seconds (relative to the caller's own claim) are ignored so
that a writer that crashed between winning and writing cannot block a later retry
forever. The guarantee is weaker than a conditional write only if a winner stalls for
longer than ``stale`` between its election and its write; then two writers may both
write. Each write is still atomic, so readers never see a torn object, only one of two
complete ones.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from runtime_shim.datastore.errors import ObjectStoreError

CLAIMS_DIR = ".flowc-claims"
POLL_SECONDS = 0.25


@dataclass(frozen=True)
class Election:
    """Where the claims for one key live and how long to wait."""

    client: Any
    bucket: str
    claims_prefix: str
    settle: float
    stale: float


def claim_and_put(
    election: Election,
    *,
    exists: Callable[[], bool],
    write: Callable[[], None],
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Create the key through ``write`` only if this caller wins; True when it did."""
    if exists():
        return False
    client, bucket = election.client, election.bucket
    mine = election.claims_prefix + uuid.uuid4().hex
    client.put_object(Bucket=bucket, Key=mine, Body=b"")
    sleep(election.settle)
    claims = _claims(election)
    while mine not in claims:  # a listing that lags behind the write: look again
        sleep(POLL_SECONDS)
        claims = _claims(election)
    oldest_live = claims[mine] - election.stale
    live = sorted((stamp, key) for key, stamp in claims.items() if stamp >= oldest_live)
    if live[0][1] == mine:
        if exists():
            return False
        write()
        return True
    deadline = time.monotonic() + election.stale
    while time.monotonic() < deadline:
        if exists():
            return False
        sleep(POLL_SECONDS)
    raise ObjectStoreError(
        f"conditional write lost an election to claim {live[0][1]} whose writer never "
        f"wrote the object within {election.stale:.0f}s; retry the task"
    )


def _claims(election: Election) -> dict[str, float]:
    paginator = election.client.get_paginator("list_objects_v2")
    found: dict[str, float] = {}
    for page in paginator.paginate(Bucket=election.bucket, Prefix=election.claims_prefix):
        for entry in page.get("Contents", []):
            found[entry["Key"]] = entry["LastModified"].timestamp()
    return found
