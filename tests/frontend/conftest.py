"""Session-wide fixtures of the front-end tests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.frontend import SCHEMA


@pytest.fixture(scope="session")
def ir_validator() -> Any:
    """A validator for ``schemas/ir.schema.json`` (itself checked against its metaschema)."""
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)
