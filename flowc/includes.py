"""``IncludeFile`` defaults captured when the flow is compiled, as Metaflow uploads them
when it deploys.

A deployed task runs in a container that has the code, not the author's data files. So
``flowc compile`` reads each ``IncludeFile``'s default file (a relative path is looked up
in the working directory, then beside the flow file, as a config file is), stores its
bytes in the datastore under ``FLOW/includes/SHA256`` (content-addressed: the same file is
stored once and the emitted spec stays byte-stable), and gives the targets a default that
names the stored copy instead of the path::

    {"type": "flowc-include", "url": "s3://bucket/prefix/Flow/includes/ab12...",
     "sha256": "ab12...", "size": 123, "path": "data.csv"}

The start task then reads the stored bytes (``runtime_shim.includes``) and checks their
hash, whatever the image holds. A value given when the run is triggered is still a path
in the task's file system, as in Metaflow.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass

from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import FlowIR, Parameter
from flowc.sources import find_beside_flow
from runtime_shim.includes import DESCRIPTOR_TYPE, include_key


@dataclass(frozen=True)
class Captured:
    """One ``IncludeFile`` default read at compile time: the parameter, the file found and
    its bytes."""

    parameter: str
    path: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def read_includes(ir: FlowIR, flow_file: str) -> tuple[list[Captured], list[Diagnostic]]:
    """Every ``IncludeFile`` default's bytes, and FC214 at each one that cannot be read."""
    found: list[Captured] = []
    problems: list[Diagnostic] = []
    for param in ir.parameters:
        if not param.is_include_file or not (param.has_default or param.default_source):
            continue
        span = param.location.span()
        if param.default_source is not None or not isinstance(param.default, str):
            problems.append(
                diag(
                    codes.FC214,
                    f"IncludeFile `{param.name}`: the default is not a literal path, so "
                    "flowc cannot capture the file when it compiles; a deployed run would "
                    "read it from the container",
                    span,
                    "write the default as a literal path, relative to the flow file",
                )
            )
            continue
        path = find_beside_flow(param.default, flow_file)
        if path is None:
            problems.append(
                diag(
                    codes.FC214,
                    f"IncludeFile `{param.name}`: the default file {param.default!r} does not "
                    "exist (looked in the working directory and beside the flow file)",
                    span,
                    "create the file, or fix the path, before compiling",
                )
            )
            continue
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            problems.append(
                diag(
                    codes.FC214,
                    f"IncludeFile `{param.name}`: cannot read {path!r}: {exc.strerror}",
                    span,
                )
            )
            continue
        found.append(Captured(param.name, path, data))
    return found, problems


def store_url(datastore_root: str) -> str:
    """The datastore's URL as the tasks will open it (a local root made absolute)."""
    if "://" in datastore_root and not datastore_root.startswith("file://"):
        return datastore_root.rstrip("/")
    return os.path.abspath(datastore_root.removeprefix("file://"))


def descriptor(flow: str, datastore_root: str, item: Captured, original: str) -> str:
    """The default a target passes to the start task in place of the path."""
    document = {
        "type": DESCRIPTOR_TYPE,
        "url": f"{store_url(datastore_root)}/{include_key(flow, item.sha256)}",
        "sha256": item.sha256,
        "size": len(item.data),
        "path": original,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def with_captured(ir: FlowIR, datastore_root: str, captured: list[Captured]) -> FlowIR:
    """``ir`` whose captured ``IncludeFile`` defaults name the stored copies."""
    by_name = {item.parameter: item for item in captured}

    def replaced(param: Parameter) -> Parameter:
        item = by_name.get(param.name)
        if item is None:
            return param
        return dataclasses.replace(
            param, default=descriptor(ir.name, datastore_root, item, str(param.default))
        )

    return dataclasses.replace(ir, parameters=[replaced(p) for p in ir.parameters])


def store_includes(ir: FlowIR, datastore_root: str, captured: list[Captured]) -> None:
    """Put every captured file into the datastore (skipped when already there)."""
    if not captured:
        return
    from runtime_shim.datastore import open_object_store

    store = open_object_store(store_url(datastore_root))
    for item in captured:
        key = include_key(ir.name, item.sha256)
        if not store.exists(key):
            store.put(key, item.data, if_absent=True)
