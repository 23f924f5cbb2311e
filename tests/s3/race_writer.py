"""Commit tasks through the datastore layout from a separate process.

``python race_writer.py ROOT RUN WRITER SHARED OWN SIZE START_AT`` waits until
``START_AT`` (epoch seconds) so all writers start together, then, for each of SHARED
tasks of step ``shared`` and OWN tasks of its own step ``own<WRITER>``, saves an
artifact of random bytes (SIZE for shared tasks, at most 64 KiB for its own), writes
attempt WRITER and commits (a loser records its attempt). Prints the shared
tasks it won as JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time

from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.layout import FlowDatastore


def commit(ds: FlowDatastore, run: str, step: str, task: str, writer: int, size: int) -> bool:
    blob = os.urandom(size)
    value = {"writer": writer, "sha": hashlib.sha256(blob).hexdigest(), "blob": blob}
    ref = ds.save_value(value)
    fields = ds.attempt_fields(run, step, task, writer, {"writer": writer}, {}, {"value": ref})
    if ds.commit(run, step, task, {"attempt": writer, **fields}):
        return True
    ds.write_attempt(run, step, task, writer, fields)  # as the shim keeps a losing attempt
    return False


def main() -> None:
    root, run, writer_arg, shared_arg, own_arg, size_arg, start_at = sys.argv[1:8]
    writer, size = int(writer_arg), int(size_arg)
    ds = FlowDatastore(open_object_store(root), "RaceFlow")
    ds.store.exists("warm-up")  # create the client before the start line
    time.sleep(max(0.0, float(start_at) - time.time()))
    won = [t for t in range(int(shared_arg)) if commit(ds, run, "shared", str(t), writer, size)]
    for task in range(int(own_arg)):
        if not commit(ds, run, f"own{writer}", str(task), writer, min(size, 65536)):
            raise SystemExit(f"writer {writer} lost its own task {task}")
    print(json.dumps(won))


if __name__ == "__main__":
    main()
