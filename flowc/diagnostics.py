"""Diagnostics as values: one registry of stable codes, and the record every pass returns.

Codes are grouped by family: FC0xx source/file problems, FC1xx graph errors, FC2xx
parameters and decorators, FC3xx target capability, FC9xx internal errors. A code, once
published, keeps its meaning; CI configurations and ``# E: FCxxx`` test comments rely on it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from flowc.codes import CODES as CODES
from flowc.codes import Code as Code
from flowc.codes import Severity as Severity


@dataclass(frozen=True)
class Position:
    """A point in a source file: ``line`` is 1-based, ``column`` is 0-based (as in ``ast``)."""

    line: int
    column: int


@dataclass(frozen=True)
class Span:
    """A source range in ``file``; ``end`` is exclusive on its line."""

    file: str
    start: Position
    end: Position

    @classmethod
    def at(
        cls,
        file: str,
        line: int,
        column: int = 0,
        end_line: int | None = None,
        end_column: int | None = None,
    ) -> Span:
        return cls(
            file,
            Position(line, column),
            Position(
                end_line if end_line is not None else line,
                end_column if end_column is not None else column,
            ),
        )


class FixKind(enum.Enum):
    """The edits ``flowc check --fix`` knows how to make, each described by what it means."""

    RENAME_ATTRIBUTE = "rename-attribute"  # `self.<name>` at the span becomes `self.<new>`
    RENAME_KEYWORD = "rename-keyword"  # the keyword argument `<name>=` at the span: `<new>=`
    ADD_PARAMETER = "add-parameter"  # the method whose name `<name>` is at the span gains `<new>`


@dataclass(frozen=True)
class Fix:
    """One unambiguous edit that resolves a diagnostic, described semantically.

    ``span`` locates the node to edit (the attribute, the keyword argument, or the method's
    name) and ``name`` is the name found there: the fixer edits a node only if both still
    match, so a fix computed for another version of the file is never misapplied.
    """

    kind: FixKind
    span: Span
    name: str
    new: str

    def describe(self) -> str:
        if self.kind is FixKind.RENAME_ATTRIBUTE:
            return f"replace `self.{self.name}` with `self.{self.new}`"
        if self.kind is FixKind.RENAME_KEYWORD:
            return f"rename argument `{self.name}` to `{self.new}`"
        return f"add parameter `{self.new}` to `{self.name}`"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span | None
    hint: str | None = None
    severity: Severity = field(default=Severity.ERROR)
    fix: Fix | None = None  # set only where the edit is unambiguous (``flowc check --fix``)
    subcode: str | None = None  # the sub-code's name, for a catch-all code's refinement

    @property
    def name(self) -> str:
        return self.subcode or CODES[self.code].name

    def to_json(self) -> dict[str, object]:
        span = self.span
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
            "file": span.file if span else None,
            "line": span.start.line if span else None,
            "column": span.start.column + 1 if span else None,
            "end_line": span.end.line if span else None,
            "end_column": span.end.column + 1 if span else None,
        }


def diag(
    code: Code, message: str, span: Span | None, hint: str | None = None, fix: Fix | None = None
) -> Diagnostic:
    """Build a diagnostic with the severity its code is registered with."""
    subcode = code.name if code.parent is not None else None
    return Diagnostic(code.code, message, span, hint, code.severity, fix, subcode)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    if d.span is None:
        return ("", 0, 0, d.code)
    return (d.span.file, d.span.start.line, d.span.start.column, d.code)


@dataclass(frozen=True)
class Suggestion:
    """The candidates closest to a misspelled name (equally close, sorted); an edit is
    made automatically only when there is one."""

    names: tuple[str, ...]

    @property
    def unique(self) -> str | None:
        return self.names[0] if len(self.names) == 1 else None

    @property
    def hint(self) -> str:
        return "did you mean " + " or ".join(f"`{n}`" for n in self.names) + "?"


def did_you_mean(name: str, candidates: list[str]) -> Suggestion | None:
    """The closest candidates by similarity ratio, for "did you mean" hints and fixes.

    Scored as ``difflib.get_close_matches`` scores (cutoff 0.6); every candidate with the
    best score is kept, so a tie is visible (and never fixed). None when nothing is close.
    """
    import difflib

    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(name)
    scored: dict[str, float] = {}
    for candidate in candidates:
        matcher.set_seq1(candidate)
        if (
            matcher.real_quick_ratio() >= 0.6
            and matcher.quick_ratio() >= 0.6
            and matcher.ratio() >= 0.6
        ):
            scored[candidate] = matcher.ratio()
    if not scored:
        return None
    best = max(scored.values())
    return Suggestion(tuple(sorted(c for c, score in scored.items() if score == best)))
