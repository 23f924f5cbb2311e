"""Diagnostics as values: one registry of stable codes, and the record every pass returns.

Codes are grouped by family: FC0xx source/file problems, FC1xx graph errors, FC2xx
parameters and decorators, FC3xx target capability, FC9xx internal errors. A code, once
published, keeps its meaning; CI configurations and ``# E: FCxxx`` test comments rely on it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


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


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    severity: Severity
    description: str


_CODES = [
    # FC0xx: the input file itself
    Code("FC001", "syntax-error", Severity.ERROR, "The flow file is not valid Python."),
    Code("FC002", "no-flow", Severity.ERROR, "No FlowSpec subclass was found in the file."),
    Code(
        "FC003",
        "ambiguous-flow",
        Severity.ERROR,
        "Several FlowSpec subclasses are defined; choose one with --flow.",
    ),
    Code("FC004", "unknown-flow", Severity.ERROR, "The class named with --flow is not a flow."),
    Code("FC005", "unreadable-file", Severity.ERROR, "The flow file cannot be read."),
    Code(
        "FC006",
        "unresolved-base",
        Severity.WARNING,
        "A base class of the flow could not be found; steps it defines are unknown.",
    ),
    # FC1xx: steps and the graph
    Code(
        "FC101",
        "unknown-transition-target",
        Severity.ERROR,
        "self.next names a step that does not exist.",
    ),
    Code(
        "FC102",
        "missing-transition",
        Severity.ERROR,
        "A step other than end does not end with self.next(...).",
    ),
    Code("FC103", "multiple-transitions", Severity.ERROR, "A step calls self.next more than once."),
    Code(
        "FC104",
        "dynamic-transition",
        Severity.ERROR,
        "A self.next target is not a literal self.<step> reference.",
    ),
    Code(
        "FC105",
        "invalid-transition",
        Severity.ERROR,
        "A self.next call has a form that is not supported.",
    ),
    Code("FC106", "reserved-step-name", Severity.ERROR, "A step uses a reserved name."),
    Code(
        "FC107",
        "invalid-step-name",
        Severity.ERROR,
        "A step name must match [a-z0-9_]+ and not start with an underscore.",
    ),
    Code("FC108", "missing-start", Severity.ERROR, "The flow has no start step."),
    Code("FC109", "missing-end", Severity.ERROR, "The flow has no end step."),
    Code(
        "FC110",
        "duplicate-start-or-end",
        Severity.ERROR,
        "More than one step is marked as start (or as end).",
    ),
    Code("FC111", "end-has-transition", Severity.ERROR, "The end step must not call self.next."),
    Code(
        "FC112",
        "join-signature",
        Severity.ERROR,
        "A step's arguments do not match its role (joins take inputs; other steps do not).",
    ),
    Code(
        "FC113",
        "cycle",
        Severity.ERROR,
        "The graph has a cycle (only a switch may loop back to its own step).",
    ),
    Code("FC114", "unreachable-step", Severity.ERROR, "A step cannot be reached from start."),
    Code(
        "FC115",
        "unjoined-split",
        Severity.ERROR,
        "The end step is reached before a split is joined.",
    ),
    Code(
        "FC116",
        "join-path-count",
        Severity.ERROR,
        "A join receives a different number of paths than its split started.",
    ),
    Code("FC117", "join-without-split", Severity.ERROR, "A join step is not preceded by a split."),
    Code(
        "FC118", "unrelated-join", Severity.ERROR, "A join step joins steps from unrelated splits."
    ),
    Code("FC119", "switch-too-few-cases", Severity.ERROR, "A switch needs at least two cases."),
    Code(
        "FC120",
        "foreach-into-join",
        Severity.ERROR,
        "A foreach split leads directly to a join; the body needs a step.",
    ),
    Code(
        "FC121",
        "switch-into-join",
        Severity.ERROR,
        "A conditional (switch) path leads directly to a join step.",
    ),
    Code(
        "FC122",
        "parallel-rules",
        Severity.ERROR,
        "num_parallel must target one step decorated with @parallel, followed by a join.",
    ),
    Code("FC123", "duplicate-step", Severity.ERROR, "Two steps have the same name."),
    Code("FC124", "step-signature", Severity.ERROR, "A step must be a method taking self."),
    Code(
        "FC125",
        "transition-not-last",
        Severity.ERROR,
        "self.next must be the last statement of the step.",
    ),
    Code(
        "FC126",
        "foreach-var-unset",
        Severity.WARNING,
        "The foreach variable is not assigned in the splitting step.",
    ),
    Code(
        "FC127",
        "switch-var-unset",
        Severity.WARNING,
        "The switch condition variable is not assigned in the switching step.",
    ),
    Code(
        "FC128", "bad-step-decorator", Severity.ERROR, "The @step decorator has invalid arguments."
    ),
    Code(
        "FC129",
        "empty-branch",
        Severity.ERROR,
        "A branch of a static split leads directly to the join; each branch needs a step.",
    ),
    # FC2xx: parameters and decorators
    Code(
        "FC201",
        "non-literal-decorator-arg",
        Severity.WARNING,
        "A decorator argument is not a literal; it is kept as source text.",
    ),
    Code(
        "FC202",
        "non-literal-parameter-arg",
        Severity.WARNING,
        "A Parameter argument is not a literal; it is kept as source text.",
    ),
    Code(
        "FC203",
        "unknown-decorator",
        Severity.WARNING,
        "A decorator is not part of the flow API; it is ignored by the compiler.",
    ),
    Code(
        "FC204",
        "duplicate-parameter",
        Severity.ERROR,
        "Two parameters share a name, or a parameter clashes with a step or reserved name.",
    ),
    Code(
        "FC205",
        "parameter-type",
        Severity.ERROR,
        "A parameter's type is unsupported or its default does not match it.",
    ),
    Code(
        "FC206",
        "unknown-decorator-arg",
        Severity.ERROR,
        "A decorator receives an unknown argument.",
    ),
    Code(
        "FC207",
        "duplicate-decorator",
        Severity.ERROR,
        "A decorator is applied twice to one target.",
    ),
    Code(
        "FC208",
        "invalid-decorator-arg",
        Severity.ERROR,
        "A decorator argument has an invalid value.",
    ),
    Code("FC209", "parameter-name", Severity.ERROR, "A Parameter needs a literal, valid name."),
    Code(
        "FC210",
        "decorator-placement",
        Severity.ERROR,
        "A decorator is used where it has no meaning (flow decorator on a step, or the reverse).",
    ),
    # FC3xx: target capability (emitted by backends)
    Code(
        "FC301",
        "unsupported-construct",
        Severity.ERROR,
        "The target cannot express a construct of the flow.",
    ),
    Code(
        "FC302",
        "unsupported-decorator",
        Severity.WARNING,
        "The target ignores a decorator or one of its arguments.",
    ),
    Code(
        "FC303",
        "target-size-limit",
        Severity.WARNING,
        "An emitted document exceeds or approaches a size limit of the target.",
    ),
    Code(
        "FC304",
        "target-name-limit",
        Severity.ERROR,
        "A name cannot be made valid for the target without a collision.",
    ),
    Code("FC305", "target-option", Severity.ERROR, "A target option is invalid."),
    Code(
        "FC306",
        "unshared-datastore",
        Severity.WARNING,
        "Tasks run in separate containers but the datastore root is a local path.",
    ),
    Code(
        "FC307",
        "target-limit-exceeded",
        Severity.ERROR,
        "An emitted document or value exceeds a hard limit of the target; the engine rejects it.",
    ),
    Code(
        "FC308",
        "unsupported-decorator-argument",
        Severity.ERROR,
        "The target cannot honour a decorator argument that changes how the step or flow runs.",
    ),
    # FC9xx: internal
    Code("FC901", "internal-error", Severity.ERROR, "flowc failed unexpectedly; please report it."),
]

CODES: dict[str, Code] = {c.code: c for c in _CODES}


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

    @property
    def name(self) -> str:
        return CODES[self.code].name

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
    code: str, message: str, span: Span | None, hint: str | None = None, fix: Fix | None = None
) -> Diagnostic:
    """Build a diagnostic with the severity its code is registered with."""
    return Diagnostic(code, message, span, hint, CODES[code].severity, fix)


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
