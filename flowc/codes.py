"""The registry of diagnostic codes: one typed constant per code.

Call sites name a code as ``codes.FC101``, so a misspelled code is a type error for mypy
and an AttributeError at import, never a KeyError when the diagnostic is finally raised.
Codes are grouped by family: FC0xx source/file problems, FC1xx graph errors, FC2xx
parameters and decorators, FC3xx target capability, FC9xx internal errors. A code, once
published, keeps its meaning; CI configurations and ``# E: FCxxx`` test markers rely on it.

A catch-all code has sub-codes (``sub(FC208, "cron-expression", ...)``): they keep the
parent's number, so ``FCxxx`` filters and markers still match, and add a name that says
which rule fired (shown as ``[name]`` after the message and as ``name`` in JSON).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Code:
    """A diagnostic code. ``parent`` is set for a sub-code, which shares its parent's number."""

    code: str
    name: str
    severity: Severity
    description: str
    parent: Code | None = None


def sub(parent: Code, name: str, description: str) -> Code:
    """A sub-code of ``parent``: same number and severity, its own name."""
    return Code(parent.code, name, parent.severity, description, parent)


# FC0xx: the input file itself
FC001: Final = Code("FC001", "syntax-error", Severity.ERROR, "The flow file is not valid Python.")
FC002: Final = Code(
    "FC002", "no-flow", Severity.ERROR, "No FlowSpec subclass was found in the file."
)
FC003: Final = Code(
    "FC003",
    "ambiguous-flow",
    Severity.ERROR,
    "Several FlowSpec subclasses are defined; choose one with --flow.",
)
FC004: Final = Code(
    "FC004", "unknown-flow", Severity.ERROR, "The class named with --flow is not a flow."
)
FC005: Final = Code("FC005", "unreadable-file", Severity.ERROR, "The flow file cannot be read.")
FC006: Final = Code(
    "FC006",
    "unresolved-base",
    Severity.WARNING,
    "A base class of the flow could not be found; steps it defines are unknown.",
)

# FC1xx: steps and the graph
FC101: Final = Code(
    "FC101",
    "unknown-transition-target",
    Severity.ERROR,
    "self.next names a step that does not exist.",
)
FC102: Final = Code(
    "FC102",
    "missing-transition",
    Severity.ERROR,
    "A step other than end does not end with self.next(...).",
)
FC103: Final = Code(
    "FC103", "multiple-transitions", Severity.ERROR, "A step calls self.next more than once."
)
FC104: Final = Code(
    "FC104",
    "dynamic-transition",
    Severity.ERROR,
    "A self.next target is not a literal self.<step> reference.",
)
FC105: Final = Code(
    "FC105",
    "invalid-transition",
    Severity.ERROR,
    "A self.next call has a form that is not supported.",
)
FC106: Final = Code("FC106", "reserved-step-name", Severity.ERROR, "A step uses a reserved name.")
FC107: Final = Code(
    "FC107",
    "invalid-step-name",
    Severity.ERROR,
    "A step name must match [a-z0-9_]+ and not start with an underscore.",
)
FC108: Final = Code("FC108", "missing-start", Severity.ERROR, "The flow has no start step.")
FC109: Final = Code("FC109", "missing-end", Severity.ERROR, "The flow has no end step.")
FC110: Final = Code(
    "FC110",
    "duplicate-start-or-end",
    Severity.ERROR,
    "More than one step is marked as start (or as end).",
)
FC111: Final = Code(
    "FC111", "end-has-transition", Severity.ERROR, "The end step must not call self.next."
)
FC112: Final = Code(
    "FC112",
    "join-signature",
    Severity.ERROR,
    "A step's arguments do not match its role (joins take inputs; other steps do not).",
)
FC113: Final = Code(
    "FC113",
    "cycle",
    Severity.ERROR,
    "The graph has a cycle (only a switch may loop back to its own step).",
)
FC114: Final = Code(
    "FC114", "unreachable-step", Severity.ERROR, "A step cannot be reached from start."
)
FC115: Final = Code(
    "FC115", "unjoined-split", Severity.ERROR, "The end step is reached before a split is joined."
)
FC116: Final = Code(
    "FC116",
    "join-path-count",
    Severity.ERROR,
    "A join receives a different number of paths than its split started.",
)
FC117: Final = Code(
    "FC117", "join-without-split", Severity.ERROR, "A join step is not preceded by a split."
)
FC118: Final = Code(
    "FC118", "unrelated-join", Severity.ERROR, "A join step joins steps from unrelated splits."
)
FC119: Final = Code(
    "FC119", "switch-too-few-cases", Severity.ERROR, "A switch needs at least two cases."
)
FC120: Final = Code(
    "FC120",
    "foreach-into-join",
    Severity.ERROR,
    "A foreach split leads directly to a join; the body needs a step.",
)
FC121: Final = Code(
    "FC121",
    "switch-into-join",
    Severity.ERROR,
    "A conditional (switch) path leads directly to a join step.",
)
FC122: Final = Code(
    "FC122",
    "parallel-rules",
    Severity.ERROR,
    "num_parallel must target one step decorated with @parallel, followed by a join.",
)
FC123: Final = Code("FC123", "duplicate-step", Severity.ERROR, "Two steps have the same name.")
FC124: Final = Code(
    "FC124", "step-signature", Severity.ERROR, "A step must be a method taking self."
)
FC125: Final = Code(
    "FC125",
    "transition-not-last",
    Severity.ERROR,
    "self.next must be the last statement of the step.",
)
FC126: Final = Code(
    "FC126",
    "foreach-var-unset",
    Severity.WARNING,
    "The foreach variable is not assigned in the splitting step.",
)
FC127: Final = Code(
    "FC127",
    "switch-var-unset",
    Severity.WARNING,
    "The switch condition variable is not assigned in the switching step.",
)
FC128: Final = Code(
    "FC128", "bad-step-decorator", Severity.ERROR, "The @step decorator has invalid arguments."
)
FC129: Final = Code(
    "FC129",
    "empty-branch",
    Severity.ERROR,
    "A branch of a static split leads directly to the join; each branch needs a step.",
)

# FC2xx: parameters and decorators
FC201: Final = Code(
    "FC201",
    "non-literal-decorator-arg",
    Severity.WARNING,
    "A decorator argument is not a literal; it is kept as source text.",
)
FC202: Final = Code(
    "FC202",
    "non-literal-parameter-arg",
    Severity.WARNING,
    "A Parameter argument is not a literal; it is kept as source text.",
)
FC203: Final = Code(
    "FC203",
    "unknown-decorator",
    Severity.WARNING,
    "A decorator is not part of the flow API; it is ignored by the compiler.",
)
FC204: Final = Code(
    "FC204",
    "duplicate-parameter",
    Severity.ERROR,
    "Two parameters share a name, or a parameter clashes with a step or reserved name.",
)
FC205: Final = Code(
    "FC205",
    "parameter-type",
    Severity.ERROR,
    "A parameter's type is unsupported or its default does not match it.",
)
FC206: Final = Code(
    "FC206", "unknown-decorator-arg", Severity.ERROR, "A decorator receives an unknown argument."
)
FC207: Final = Code(
    "FC207", "duplicate-decorator", Severity.ERROR, "A decorator is applied twice to one target."
)
FC208: Final = Code(
    "FC208", "invalid-decorator-arg", Severity.ERROR, "A decorator argument has an invalid value."
)
FC209: Final = Code(
    "FC209", "parameter-name", Severity.ERROR, "A Parameter needs a literal, valid name."
)
FC210: Final = Code(
    "FC210",
    "decorator-placement",
    Severity.ERROR,
    "A decorator is used where it has no meaning (flow decorator on a step, or the reverse).",
)
FC211: Final = Code(
    "FC211",
    "environment-not-locked",
    Severity.ERROR,
    "A step's @pypi environment is not in the flow's lock file (run `flowc lock`).",
)
FC212: Final = Code(
    "FC212",
    "environment-unresolvable",
    Severity.ERROR,
    "The resolver cannot resolve a step's @pypi packages (unknown package or version).",
)
FC213: Final = Code(
    "FC213",
    "conda-unavailable",
    Severity.ERROR,
    "A @conda/@conda_base environment cannot be built: no conda channel is reachable, or "
    "flowc has no conda solver for it.",
)
FC214: Final = Code(
    "FC214",
    "include-file-uncaptured",
    Severity.ERROR,
    "An IncludeFile's default file cannot be captured when the flow is compiled (missing, "
    "unreadable or not a literal path).",
)


# FC13x: configs (``Config`` / ``config_expr``), resolved at compile time
FC130: Final = Code(
    "FC130",
    "config-declaration",
    Severity.ERROR,
    "A Config needs a literal, valid name and arguments the compiler can read.",
)
FC131: Final = Code(
    "FC131",
    "config-file-missing",
    Severity.ERROR,
    "A config file (its default= or --config PATH) cannot be read.",
)
FC132: Final = Code(
    "FC132",
    "config-invalid",
    Severity.ERROR,
    "A config value cannot be parsed (invalid JSON, a failing parser, or not a mapping).",
)
FC133: Final = Code(
    "FC133",
    "config-missing",
    Severity.ERROR,
    "A required config has no value, or a config is given twice on the command line.",
)
FC134: Final = Code(
    "FC134",
    "config-key-missing",
    Severity.ERROR,
    "A config expression reads a key the config does not have, or cannot be evaluated.",
)
FC135: Final = Code(
    "FC135",
    "config-at-run-start",
    Severity.WARNING,
    "A config uses a function of the flow file; the start task evaluates it, not the compiler.",
)
FC136: Final = Code(
    "FC136",
    "config-unknown",
    Severity.ERROR,
    "--config or --config-value names a config the flow does not declare.",
)

# FC208's sub-codes: which rule refused the value
FC208_POSITIONAL: Final = sub(
    FC208, "positional-decorator-arg", "A decorator argument is passed by position."
)
FC208_REPEATED: Final = sub(
    FC208, "repeated-decorator-arg", "An argument is given twice, under its name and an alias."
)
FC208_KIND: Final = sub(
    FC208, "decorator-arg-kind", "A value is not of its argument's kind (number, mapping, cron...)."
)
FC208_RANGE: Final = sub(FC208, "decorator-arg-range", "A number is outside its argument's range.")
FC208_CHOICE: Final = sub(
    FC208, "decorator-arg-choice", "A string is not one of its argument's accepted values."
)
FC208_CONFLICT: Final = sub(
    FC208, "decorator-arg-conflict", "Arguments that exclude each other are set together."
)
FC208_RULE: Final = sub(
    FC208, "decorator-rule", "The arguments break a rule of the whole decorator."
)

# FC3xx: target capability (emitted by backends)
FC301: Final = Code(
    "FC301",
    "unsupported-construct",
    Severity.ERROR,
    "The target cannot express a construct of the flow.",
)
FC302: Final = Code(
    "FC302",
    "unsupported-decorator",
    Severity.WARNING,
    "The target ignores a decorator or one of its arguments.",
)
FC303: Final = Code(
    "FC303",
    "target-size-limit",
    Severity.WARNING,
    "An emitted document exceeds or approaches a size limit of the target.",
)
FC304: Final = Code(
    "FC304",
    "target-name-limit",
    Severity.ERROR,
    "A name cannot be made valid for the target without a collision.",
)
FC305: Final = Code("FC305", "target-option", Severity.ERROR, "A target option is invalid.")
FC306: Final = Code(
    "FC306",
    "unshared-datastore",
    Severity.WARNING,
    "Tasks run in separate containers but the datastore root is a local path.",
)
FC307: Final = Code(
    "FC307",
    "target-limit-exceeded",
    Severity.ERROR,
    "An emitted document or value exceeds a hard limit of the target; the engine rejects it.",
)
FC308: Final = Code(
    "FC308",
    "unsupported-decorator-argument",
    Severity.ERROR,
    "The target cannot honour a decorator argument that changes how the step or flow runs.",
)
FC309: Final = Code(
    "FC309",
    "fan-out-limit",
    Severity.ERROR,
    "A foreach, at the width the flow or the --option foreach_width gives, passes a limit "
    "of the engine: the run would fail.",
)
FC310: Final = Code(
    "FC310",
    "fan-out-near-limit",
    Severity.WARNING,
    "A foreach, at the width the flow or the --option foreach_width gives, relies on the "
    "engine working around a limit, or comes close to one.",
)

# FC46x: mutators and user step decorators (code that runs inside the task)
FC460: Final = Code(
    "FC460",
    "mutator",
    Severity.ERROR,
    "A FlowMutator or StepMutator changes the flow when it runs; the compiled spec cannot "
    "include its changes.",
)
FC461: Final = Code(
    "FC461",
    "runtime-mutator",
    Severity.WARNING,
    "A mutator accepted with `# flowc: runtime-mutator` is applied inside the task only.",
)
FC462: Final = Code(
    "FC462",
    "user-step-decorator",
    Severity.NOTE,
    "A user step decorator wraps the step inside the task; the compiled spec is unchanged.",
)

# FC40x: the Metaflow module surface (what ``import metaflow...`` provides under flowc)
FC401: Final = Code(
    "FC401",
    "unprovided-module",
    Severity.ERROR,
    "A metaflow module path the flow imports is not provided by flowc; the import fails.",
)
FC402: Final = Code(
    "FC402",
    "unprovided-name",
    Severity.ERROR,
    "A name the flow imports from a metaflow module is not provided by flowc; the import fails.",
)
FC403: Final = Code(
    "FC403",
    "extension-decorator",
    Severity.NOTE,
    "A decorator from a metaflow_extensions package runs inside the task, not in the compiler.",
)

# FC9xx: internal
FC901: Final = Code(
    "FC901", "internal-error", Severity.ERROR, "flowc failed unexpectedly; please report it."
)

# FC305's sub-code
FC305_UNKNOWN_KEY: Final = sub(
    FC305, "unknown-target-option", "An --option key is not an option of the target."
)

# FC309's sub-codes: which engine limit a fan-out passes
FC309_ARGO_STATUS: Final = sub(
    FC309,
    "workflow-status-size",
    "The Workflow object, with a node status per task, passes the controller's size limit "
    "even compressed (Argo without node status offloading).",
)
FC309_AIRFLOW_MAP: Final = sub(
    FC309, "max-map-length", "A mapped task maps more items than Airflow's max_map_length."
)
FC309_SFN_ITEMS: Final = sub(
    FC309, "inline-map-items", "An inline Map has more items than States.ArrayRange makes."
)
FC309_SFN_HISTORY: Final = sub(
    FC309,
    "history-events",
    "An execution's history passes Step Functions' 25,000 events.",
)


def _registered() -> tuple[dict[str, Code], list[Code]]:
    found = [value for value in globals().values() if isinstance(value, Code)]
    return {c.code: c for c in found if c.parent is None}, [c for c in found if c.parent]


CODES, SUBCODES = _registered()
