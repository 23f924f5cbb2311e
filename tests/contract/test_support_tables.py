"""The support table of each target doc is what its coverage declaration renders.

Regenerate with ``FLOWC_REGEN=1``; the table sits between the markers of
``backends.support_tables`` and nothing else in the doc is touched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.coverage import catalogue_pairs
from backends.support_tables import render_table, replace_table
from tests.support.golden import regenerating

DOCS = Path(__file__).parents[2] / "docs"


@pytest.mark.parametrize("target", ["argo", "airflow", "stepfunctions"])
def test_doc_table_is_the_declaration(target: str) -> None:
    path = DOCS / f"{target}.md"
    document = path.read_text(encoding="utf-8")
    table = render_table(target)
    if regenerating():
        document = replace_table(document, table)
        path.write_text(document, encoding="utf-8")
    assert table in document
    rows = [line for line in table.splitlines() if line.startswith("| `@")]
    assert len(rows) == len(list(catalogue_pairs()))
    assert "undeclared" not in table
