"""Manifests as block-style YAML, written by PyYAML's safe dumper.

The reader on the cluster side is YAML 1.1 (Kubernetes' and Argo's Go YAML), where ``on``,
``yes``, ``0777`` or ``1:20`` are not strings. PyYAML is a YAML 1.1 implementation, so its
safe dumper already quotes every string its own reader would take for something else; the
dumper here adds what Go's reader also resolves and PyYAML's does not: ``y``/``n`` as
booleans and anything that starts like a number (``1e3``, ``0o17``, ``+1``) as one.

Output is the same bytes on every run and from either dumper (libyaml's C emitter when
PyYAML has it, else the pure-Python one): key order as given (the manifest code orders
keys for readers), block style, no line folding, no anchors, unicode written as is.
``tests/argo/test_argo_yaml.py`` checks, with hypothesis and a list of hostile strings,
that every document reads back equal and that both dumpers agree.

``yaml`` is imported when a manifest is written, not when the backend is imported.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

# Longest line before PyYAML folds a scalar; the largest value libyaml accepts as a C int.
_NO_FOLDING = 2**31 - 1
# Go's YAML 1.1 reader takes these for booleans and numbers; PyYAML's reader does not.
_GO_BOOLEANS = re.compile(r"^(?:y|Y|n|N)$")
_GO_NUMBER_START = re.compile(r"^[-+.]?[0-9]")
# A mapping key is simple (``key: value``, not ``? key``) to libyaml when it is one line of
# at most this many UTF-8 bytes; these are line breaks to libyaml.
_SIMPLE_KEY_BYTES = 128
_LIBYAML_LINE_BREAKS = frozenset("\r\n\x85\u2028\u2029")


def dump(document: Any, *, prefer_c: bool = True) -> str:
    """``document`` as YAML text ending in a newline (``prefer_c=False``: always the
    pure-Python emitter, for comparing the two).

    The document's events are made here and handed to the emitter, rather than through
    PyYAML's representer and serializer: those build a node per value and resolve every
    scalar's implicit tag with a list of regular expressions, which was two thirds of
    compiling a 1,000-step flow. The events are the ones they would make (the same tags,
    implicit flags and styles), with each distinct string resolved once; the emitter (C or
    Python) writes the bytes. ``tests/argo/test_argo_yaml.py`` compares the two ways.
    """
    import yaml

    dumper = _dumper(prefer_c)
    text: str = yaml.emit(
        _events(document, _ScalarStyles(dumper)),
        Dumper=dumper,
        allow_unicode=True,
        width=_NO_FOLDING,
    )
    return text


def dump_through_representer(document: Any, *, prefer_c: bool = True) -> str:
    """What :func:`dump` writes, through PyYAML's own representer and serializer."""
    import yaml

    text: str = yaml.dump(
        document,
        Dumper=_dumper(prefer_c),
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=True,
        width=_NO_FOLDING,
    )
    return text


_STR = "tag:yaml.org,2002:str"


class _ScalarStyles:
    """Each scalar's (tag, implicit, value, style), as the safe representer and the
    serializer would give them; strings are resolved once per distinct value."""

    def __init__(self, dumper: type) -> None:
        import yaml

        class _Resolver(yaml.resolver.Resolver):
            yaml_implicit_resolvers = dumper.yaml_implicit_resolvers  # type: ignore[attr-defined]

        self._resolver: Any = _Resolver()
        self._representer = yaml.representer.SafeRepresenter()
        self._strings: dict[str, tuple[str, tuple[bool, bool], str, str | None]] = {}
        self._node = yaml.ScalarNode

    def of(self, value: Any) -> tuple[str, tuple[bool, bool], str, str | None]:
        if type(value) is str:
            known = self._strings.get(value)
            if known is None:
                detected = self._resolver.resolve(self._node, value, (True, False))
                style = None if _verbatim(value) else '"'
                known = self._strings[value] = (_STR, (detected == _STR, True), value, style)
            return known
        node = self._representer.represent_data(value)  # bool, int, float, None
        if not isinstance(node, self._node):
            raise TypeError(f"not a scalar: {value!r}")
        tag, text = node.tag, node.value
        detected = self._resolver.resolve(self._node, text, (True, False))
        return tag, (tag == detected, tag == _STR), text, node.style


def _events(document: Any, scalars: _ScalarStyles) -> Iterator[Any]:
    """The serializer's events for ``document``: block style, no anchors, no tags shown."""
    import yaml

    scalar_event, start_map, end_map = (
        yaml.ScalarEvent,
        yaml.MappingStartEvent,
        yaml.MappingEndEvent,
    )
    start_seq, end_seq = yaml.SequenceStartEvent, yaml.SequenceEndEvent
    map_tag, seq_tag = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
    yield yaml.StreamStartEvent()
    yield yaml.DocumentStartEvent(explicit=None)
    # An explicit stack rather than recursion: a deep document must not hit the limit.
    stack: list[Iterator[Any]] = [iter((document,))]
    ends: list[Any] = []
    while stack:
        value = next(stack[-1], stack)
        if value is stack:
            stack.pop()
            if ends:
                yield ends.pop()
            continue
        if type(value) is dict:
            yield start_map(None, map_tag, True, flow_style=False)
            stack.append(iter([x for kv in value.items() for x in kv]))
            ends.append(end_map())
        elif type(value) is list:
            yield start_seq(None, seq_tag, True, flow_style=False)
            stack.append(iter(value))
            ends.append(end_seq())
        else:
            tag, implicit, text, style = scalars.of(value)
            yield scalar_event(None, tag, implicit, text, style=style)
    yield yaml.DocumentEndEvent(explicit=None)
    yield yaml.StreamEndEvent()


@functools.cache
def _dumper(prefer_c: bool) -> type:
    """The safe dumper (C when available and preferred) with Go's extra YAML 1.1 words."""
    import yaml

    use_c = prefer_c and hasattr(yaml, "CSafeDumper")
    base = yaml.CSafeDumper if use_c else yaml.SafeDumper

    class ManifestDumper(base):  # type: ignore[valid-type, misc]
        def ignore_aliases(self, data: Any) -> bool:
            return True  # a repeated value is written again, never as an anchor

        if not use_c:

            def check_simple_key(self) -> bool:
                """libyaml's rule for ``key: value`` rather than ``? key``: any scalar on
                one line of at most 128 bytes (the Python emitter counts characters plus
                the tag, and never writes an empty key simply)."""
                if isinstance(self.event, yaml.ScalarEvent):
                    value: str = self.event.value
                    one_line = _LIBYAML_LINE_BREAKS.isdisjoint(value)
                    return one_line and len(value.encode("utf-8")) <= _SIMPLE_KEY_BYTES
                simple: bool = super().check_simple_key()
                return simple

    ManifestDumper.add_representer(str, _represent_str)
    ManifestDumper.add_implicit_resolver("tag:yaml.org,2002:bool", _GO_BOOLEANS, list("yYnN"))
    ManifestDumper.add_implicit_resolver(
        "tag:yaml.org,2002:float", _GO_NUMBER_START, list("-+.0123456789")
    )
    return ManifestDumper


def _represent_str(dumper: Any, text: str) -> Any:
    style = None if _verbatim(text) else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _verbatim(text: str) -> bool:
    """Whether both emitters write every character of ``text`` as it is inside quotes: YAML's
    printable set less the byte-order mark and the line separators. A string with any other
    character is written double-quoted, where both escape them the same way; left to choose,
    libyaml and the Python emitter disagree on the style of such strings (astral characters,
    NEL). (Not a regular expression: one with these ranges takes ~20 ms to compile, a fifth
    of a ``flowc compile`` process.)"""
    if text.isascii():
        return text.isprintable()  # for ASCII: exactly U+0020..U+007E
    return all(_verbatim_character(ord(c)) for c in text)


def _verbatim_character(code: int) -> bool:
    if 0x20 <= code <= 0x7E:
        return True
    if code < 0xA0 or code > 0xFFFD or 0xD800 <= code <= 0xDFFF:
        return False
    return code not in (0x2028, 0x2029, 0xFEFF)
