"""The manifest writer: any document reads back equal through a YAML 1.1 reader (PyYAML),
whatever its strings hold."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from backends.argo._yaml import dump, scalar

NASTY = [
    "",
    " ",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "N",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "0777",
    "0x1F",
    "1:20",
    "1e3",
    "-1",
    "--1",
    ".inf",
    "-.inf",
    ".nan",
    "2001-12-14",
    "=",
    "<<",
    "- a",
    "-",
    "--",
    "---",
    "...",
    "a: b",
    "a:",
    "a:b",
    "#x",
    "a #b",
    "a#b",
    "? x",
    "&anchor",
    "*alias",
    "!tag",
    "%YAML",
    "@x",
    "`x`",
    "|",
    ">",
    "[a]",
    "{a: 1}",
    "'",
    '"',
    "it's",
    'say "hi"',
    " lead",
    "trail ",
    "tab\there",
    "line\nbreak",
    "crlf\r\n",
    "\x00nul",
    "\x7f",
    "\x85nel",
    "\xa0nbsp",
    "\u2028ls",
    "\u2029ps",
    "\ufeffbom",
    "\u200bzwsp",
    "😀 astral",
    "ünïcödé",
    "{{workflow.uid}}",
    "{{=sprig.b64enc('x')}}",
    "${X}",
    "$(cmd)",
    "--flow",
    "-m",
    "a && b || c; d | e",
    "registry.example.com/ml/train:1.0",
]


@pytest.mark.parametrize("text", NASTY)
def test_nasty_strings_read_back(text: str) -> None:
    document = {text: [text, {"k": text}], "v": text}
    assert yaml.safe_load(dump(document)) == document


def test_yaml_1_1_words_are_quoted() -> None:
    for word in ("yes", "No", "ON", "off", "y", "N", "true", "Null", "~"):
        assert scalar(word).startswith("'"), word
    assert scalar("--flow") == "--flow" and scalar("a:b") == "a:b"
    assert scalar("a:") == "'a:'" and scalar("1e3") == "'1e3'"
    assert scalar("line\nbreak") == '"line\\nbreak"'


_SCALARS = st.one_of(
    st.text(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.booleans(),
    st.none(),
)
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(), _DOCUMENTS, min_size=1, max_size=5))
def test_any_document_reads_back(document: dict[str, Any]) -> None:
    text = dump(document)
    assert yaml.safe_load(text) == document
    assert dump(document) == text  # deterministic
