"""docs/argo.md shows a real manifest: exactly what the documented command emits.

Regenerate it after an intended change with
``FLOWC_REGEN=1 .venv/bin/python -m pytest tests/argo/test_argo_docs.py``.
"""

from __future__ import annotations

import re

from tests.support.argo import REPO, manifest
from tests.support.golden import regenerating


def test_documented_example_is_current() -> None:
    path = REPO / "docs" / "argo.md"
    doc = path.read_text(encoding="utf-8")
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
    if regenerating():
        path.write_text(doc[: block.start(1)] + expected + doc[block.end(1) :], encoding="utf-8")
        return
    assert block.group(1) == expected, "regenerate the example; see this module's docstring"
