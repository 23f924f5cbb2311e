"""Regenerate ``schemas/argo/argo.schema.json`` from hera's Argo models.

    .venv/bin/python schemas/argo/generate.py          # rewrite the schema
    .venv/bin/python schemas/argo/generate.py --check  # exit 1 if it is stale

hera's models are generated from Argo's OpenAPI spec, so the schema describes the same
resources the controller accepts (field names, types, required fields); unknown fields
are rejected. One document covers the three kinds flowc emits; ``kind`` selects the
branch.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("argo.schema.json")
KINDS = ("WorkflowTemplate", "Workflow", "CronWorkflow")


def build() -> dict[str, Any]:
    import hera
    from hera.workflows import models
    from pydantic.json_schema import models_json_schema

    classes = [getattr(models, kind) for kind in KINDS]
    refs, schema = models_json_schema([(cls, "validation") for cls in classes], by_alias=True)
    branches = []
    for kind, cls in zip(KINDS, classes, strict=True):
        branches.append(
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": refs[(cls, "validation")],
            }
        )
    for definition in schema["$defs"].values():
        # Kubernetes drops (or, with strict field validation, rejects) unknown fields; a
        # misspelt field is a bug either way, so the schema rejects it.
        if "properties" in definition:
            definition.setdefault("additionalProperties", False)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://flowc.dev/schemas/argo.schema.json",
        "title": f"Argo Workflows resources emitted by flowc (from hera {hera.__version__})",
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": "argoproj.io/v1alpha1"},
            "kind": {"enum": list(KINDS)},
        },
        "allOf": branches,
        "$defs": schema["$defs"],
    }


def render() -> str:
    return json.dumps(build(), indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is stale; run: python {Path(__file__).as_posix()}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
