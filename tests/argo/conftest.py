"""Fixtures for the Argo tests (heavy objects are built once per session)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.argo import REPO


@pytest.fixture(scope="session")
def argo_schema_validator() -> Any:
    import jsonschema

    schema = json.loads((REPO / "schemas" / "argo" / "argo.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)
