"""The manifest writer: any document reads back equal through a YAML 1.1 reader (PyYAML),
whatever its strings hold; the words and numbers Go's YAML 1.1 reader would take for
something else are quoted; and libyaml's emitter and the pure-Python one write the same
bytes, run after run, as PyYAML's own representer and serializer would have them write."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from backends.argo._yaml import dump, dump_through_representer

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
    "0o17",
    "+1",
    "1_000",
    "a" * 122,
    "a" * 128,  # the longest simple key
    "a" * 129,
    "é" * 64,  # 128 UTF-8 bytes
    "é" * 65,
    "x " * 200,  # never folded
    "\r",
    "a\rb",
]


def _written_the_same_by_both(document: Any) -> str:
    text = dump(document)
    assert dump(document, prefer_c=False) == text
    assert dump_through_representer(document) == text
    assert dump_through_representer(document, prefer_c=False) == text
    assert dump(document) == text  # deterministic
    return text


@pytest.mark.parametrize("text", NASTY)
def test_nasty_strings_read_back(text: str) -> None:
    document = {text: [text, {"k": text}], "v": text}
    assert yaml.safe_load(_written_the_same_by_both(document)) == document


def test_c_emitter_is_used_when_present() -> None:
    from backends.argo._yaml import _dumper

    assert issubclass(_dumper(True), yaml.CSafeDumper)
    assert issubclass(_dumper(False), yaml.SafeDumper)


@pytest.mark.parametrize(
    "word", ["yes", "No", "ON", "off", "y", "N", "true", "Null", "~", "", "1e3", "0o17", "+1"]
)
def test_yaml_1_1_words_and_numbers_are_quoted(word: str) -> None:
    assert dump({"k": word}) == f"k: '{word}'\n"


def test_readable_forms() -> None:
    assert dump({"k": ["--flow", "a:b", "ünï"]}) == "k:\n- --flow\n- a:b\n- ünï\n"
    assert dump({"k": "line\nbreak", "e": {}, "l": []}) == 'k: "line\\nbreak"\ne: {}\nl: []\n'
    assert dump({"k": "😀"}) == 'k: "\\U0001F600"\n'


_SCALARS = st.one_of(
    st.text(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
)
# Keys around the 128-byte limit of a simple key, too.
_KEYS = st.one_of(st.text(), st.text(min_size=40, max_size=140))
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_KEYS, _DOCUMENTS, min_size=1, max_size=5))
def test_any_document_reads_back(document: dict[str, Any]) -> None:
    assert yaml.safe_load(_written_the_same_by_both(document)) == document
