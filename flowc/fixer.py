"""``flowc check --fix`` and ``--diff``: apply the unambiguous fixes that diagnostics carry.

The analyzer reads flows with ``ast``, which keeps no comments or spacing; edits are made
on libcst's concrete syntax tree instead, so everything around an edit (comments, blank
lines, odd formatting) is printed back exactly as it was. Each :class:`~flowc.diagnostics.Fix`
names the node to edit by its start position; libcst's ``PositionProvider`` reports the
same 1-based lines and character columns as the diagnostics (the front end converts
``ast``'s byte columns), and the name found at that node must match the fix, so a fix is
never applied to anything but the code it was computed for.

libcst costs about 0.12 s to import, more than a whole ``flowc check`` of a small
flow, so this module is imported only when ``--fix`` or ``--diff`` is given.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from flowc.compiler import analyze_source
from flowc.diagnostics import Diagnostic, Fix, FixKind, sort_key

# A fix can uncover another: a misspelled target hides the graph checks that would have
# found a join without `inputs`. Edited flows are analyzed again until no fix applies; the
# bound only guards against two fixes that undo each other, which no fix kind does today.
MAX_ROUNDS = 10
_BOM = "\ufeff"


@dataclass
class FixedFile:
    """One file the fixes touch: its text as read, and as the fixes leave it."""

    path: str
    before: str
    after: str
    bom: bool = False

    @property
    def changed(self) -> bool:
        return self.after != self.before

    def write(self) -> None:
        """Write ``after`` back, with the byte-order mark and line endings it was read with."""
        with open(self.path, "w", encoding="utf-8", newline="") as handle:
            handle.write((_BOM if self.bom else "") + self.after)

    def diff(self) -> str:
        """A unified diff from ``before`` to ``after`` (``a/PATH`` and ``b/PATH``)."""
        lines = difflib.unified_diff(
            _diff_lines(self.before), _diff_lines(self.after), f"a/{self.path}", f"b/{self.path}"
        )
        return "".join(lines)


@dataclass
class FixOutcome:
    files: list[FixedFile] = field(default_factory=list)
    applied: list[Diagnostic] = field(default_factory=list)  # in the order they were made

    @property
    def changed(self) -> list[FixedFile]:
        return [f for f in self.files if f.changed]


def fix_flows(paths: Sequence[str], flow_name: str | None) -> FixOutcome:
    """Apply every fix the analysis of ``paths`` offers, in memory, until none applies.

    Nothing is written: the caller writes :attr:`FixOutcome.changed` (``--fix``) or prints
    their diffs (``--diff``). A file that cannot be read or parsed is left alone; its
    problem is reported by the check that follows.
    """
    outcome = FixOutcome()
    texts: dict[str, FixedFile] = {}  # by real path: a base class's file may be a flow too

    def current(path: str) -> FixedFile | None:
        key = os.path.realpath(path)
        if key not in texts:
            loaded = _read(path)
            if loaded is None:
                return None
            texts[key] = loaded
            outcome.files.append(loaded)
        return texts[key]

    pending = list(paths)  # the flow files to analyze (again): all, then those just edited
    for _ in range(MAX_ROUNDS):
        edited: set[str] = set()
        for path in pending:
            flow_file = current(path)
            if flow_file is None:
                continue
            analysis = analyze_source(path, flow_file.after, flow_name)
            for file, diagnostics in _fixable_by_file(analysis.diagnostics).items():
                target = current(file)
                if target is None:
                    continue
                target.after, made = apply_fixes(target.after, diagnostics)
                if made:
                    outcome.applied += made
                    edited.add(os.path.realpath(file))
        pending = [p for p in paths if os.path.realpath(p) in edited]
        if not pending:
            break
    return outcome


def apply_fixes(source: str, diagnostics: Sequence[Diagnostic]) -> tuple[str, list[Diagnostic]]:
    """``source`` with the fixes of ``diagnostics`` made, and the diagnostics fixed.

    A fix whose node is not found (or names something else) is not made. Source libcst
    cannot parse is returned unchanged.
    """
    wanted = [d for d in diagnostics if d.fix is not None]
    if not wanted:
        return source, []
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return source, []
    # The module was just parsed and is not used again: no need for the wrapper's copy.
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    editor = _Editor(wanted)
    fixed = wrapper.visit(editor)
    return fixed.code, sorted(editor.made, key=sort_key)


class _Editor(cst.CSTTransformer):
    """Makes each fix at the node that starts where its span starts."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__()
        self._pending: dict[tuple[FixKind, int, int], Diagnostic] = {}
        for d in diagnostics:
            assert d.fix is not None
            start = d.fix.span.start
            self._pending.setdefault((d.fix.kind, start.line, start.column), d)
        self.made: list[Diagnostic] = []

    def _claim(self, kind: FixKind, node: cst.CSTNode, name: str) -> Fix | None:
        """The fix of ``kind`` at ``node`` if the name there is the one it expects."""
        start = self.get_metadata(PositionProvider, node).start
        d = self._pending.get((kind, start.line, start.column))
        if d is None or d.fix is None or d.fix.name != name:
            return None
        del self._pending[(kind, start.line, start.column)]
        self.made.append(d)
        return d.fix

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if not (isinstance(original_node.value, cst.Name) and original_node.value.value == "self"):
            return updated_node
        fix = self._claim(FixKind.RENAME_ATTRIBUTE, original_node, original_node.attr.value)
        if fix is None:
            return updated_node
        return updated_node.with_changes(attr=updated_node.attr.with_changes(value=fix.new))

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        keyword = updated_node.keyword
        if keyword is None:
            return updated_node
        fix = self._claim(FixKind.RENAME_KEYWORD, original_node, keyword.value)
        if fix is None:
            return updated_node
        return updated_node.with_changes(keyword=keyword.with_changes(value=fix.new))

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        params = updated_node.params
        only_self = (
            len(params.params) == 1
            and not params.posonly_params
            and not params.kwonly_params
            and isinstance(params.star_arg, cst.MaybeSentinel)
            and params.star_kwarg is None
        )
        if not only_self:
            return updated_node
        fix = self._claim(FixKind.ADD_PARAMETER, original_node.name, original_node.name.value)
        if fix is None:
            return updated_node
        return updated_node.with_changes(
            params=_add_parameter(params, fix.new, updated_node.whitespace_before_params)
        )


def _add_parameter(
    params: cst.Parameters, name: str, opening: cst.BaseParenthesizableWhitespace
) -> cst.Parameters:
    """``(self)`` -> ``(self, name)``.

    In a one-parameter-per-line layout (``opening``, the whitespace after the opening
    parenthesis, breaks the line) ``self`` keeps its line and comment, and the new
    parameter gets a line of its own, indented like ``self``, before the closing one.
    Otherwise it follows ``self, `` and takes over whatever came after ``self`` (a
    trailing comma, spaces).
    """
    first = params.params[0]
    comma = first.comma if isinstance(first.comma, cst.Comma) else None
    trailing = comma.whitespace_after if comma else first.whitespace_after_param
    added = cst.Param(cst.Name(name))
    if isinstance(opening, cst.ParenthesizedWhitespace) and isinstance(
        trailing, cst.ParenthesizedWhitespace
    ):
        to_next = trailing.with_changes(indent=opening.indent, last_line=opening.last_line)
        to_close = trailing.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
        if comma:
            first = first.with_changes(comma=comma.with_changes(whitespace_after=to_next))
            added = added.with_changes(comma=comma.with_changes(whitespace_after=to_close))
        else:
            first = first.with_changes(comma=cst.Comma(), whitespace_after_param=to_next)
            added = added.with_changes(whitespace_after_param=to_close)
        return params.with_changes(params=[first, added])
    added = added.with_changes(
        comma=first.comma, whitespace_after_param=first.whitespace_after_param
    )
    first = first.with_changes(
        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
        whitespace_after_param=cst.SimpleWhitespace(""),
    )
    return params.with_changes(params=[first, added])


def _fixable_by_file(diagnostics: list[Diagnostic]) -> dict[str, list[Diagnostic]]:
    grouped: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        if d.fix is not None:
            grouped.setdefault(d.fix.span.file, []).append(d)
    return grouped


def _read(path: str) -> FixedFile | None:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return None
    bom = text.startswith(_BOM)
    text = text.removeprefix(_BOM)
    return FixedFile(path, text, text, bom)


def _diff_lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines
