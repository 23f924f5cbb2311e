"""docs/argo.md shows a real manifest: exactly what the documented command emits."""

from __future__ import annotations

import re

from argo_support import REPO, manifest


def test_documented_example_is_current() -> None:
    doc = (REPO / "docs" / "argo.md").read_text(encoding="utf-8")
    command = re.search(r"\$ (flowc compile examples/train\.py[^`]*?)\n```", doc, re.S)
    assert command is not None
    assert "--image registry.example.com/flows/train:1.0" in command.group(1)
    assert "--datastore s3://ml-artifacts/flowc --namespace ml" in command.group(1)
    block = re.search(r"```yaml\n(.*?)```", doc, re.S)
    assert block is not None
    expected = manifest(
        "examples/train.py",
        image="registry.example.com/flows/train:1.0",
        datastore_root="s3://ml-artifacts/flowc",
        namespace="ml",
    )
    assert block.group(1) == expected, "regenerate the example in docs/argo.md"
