"""The flow IR: plain, versioned data between the front end and everything downstream.

Nothing downstream of this module reads Python source. The IR serialises to JSON
(``to_json``/``from_json``) and is described by ``schemas/ir.schema.json``; bump
``IR_VERSION`` whenever a field changes meaning.

Task identity: a task is ``(run_id, step, index_path[, iteration])``. ``index_path`` is
the task's position in its enclosing foreaches ("" at top level, "3", "3.1" nested);
``iteration`` counts re-runs of a recursive switch step at one index path (0 first).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from flowc.diagnostics import Span

IR_VERSION = 3

ParamType = Literal["str", "int", "float", "bool", "json"]
Transition = Literal["linear", "split", "foreach", "switch", "end"]
StepKind = Literal["start", "linear", "split", "foreach", "split-switch", "join", "end"]
InputKind = Literal["none", "same", "enter", "join", "join-foreach", "any"]


@dataclass(frozen=True)
class Location:
    """Where something was written: ``line`` 1-based, ``column`` 0-based."""

    file: str
    line: int
    column: int

    def span(self) -> Span:
        """The point as a diagnostic's span (the IR keeps no end positions)."""
        return Span.at(self.file, self.line, self.column)


@dataclass
class Decorator:
    """A decorator with its resolved arguments.

    ``args`` holds every argument the decorator catalogue declares for it, as JSON values:
    Metaflow's default where the flow wrote nothing, the normalised value where it wrote a
    literal (``memory="4096"`` is 4096, an alias is stored under its canonical name).
    ``given`` lists, sorted, the canonical names of the arguments the flow wrote, literal or
    not, so a consumer can tell a default from a choice. ``source_args`` keeps the source
    text of arguments that are not literals (their ``args`` entry keeps the default);
    backends may not evaluate them.
    """

    name: str
    args: dict[str, Any]
    source_args: dict[str, str]
    location: Location
    given: list[str] = field(default_factory=list)


@dataclass
class Parameter:
    """A flow ``Parameter`` (or ``IncludeFile``) class attribute.

    ``attribute`` is the Python attribute (``self.alpha``); ``name`` is the name users pass
    on the command line and engines use as the parameter key. ``default`` is the JSON value
    of a literal default; ``default_source`` keeps a non-literal default's source text.
    A ``json`` parameter's default is the decoded JSON value.
    """

    attribute: str
    name: str
    type: ParamType
    default: Any
    has_default: bool
    required: bool
    help: str | None
    separator: str | None
    is_include_file: bool
    default_source: str | None
    location: Location


@dataclass
class Config:
    """A flow ``Config`` class attribute and the value the compiler resolved for it.

    ``value`` is the config's JSON value (``None`` for a config without one). Where the
    value needs a function of the flow file (``parser=`` or ``default_value=`` naming
    one), the compiler cannot evaluate it: ``pending`` then says what the run's start
    task evaluates instead (``{"text": T}``: parse T with the flow's parser;
    ``{"default_value": true}``: call the flow's function) and ``value`` is ``None``.
    ``origin`` says where the value came from: ``value`` (``--config-value``), ``file``
    (``--config PATH``), ``default`` (the ``default=`` file), ``default_value`` or
    ``none``; ``path`` is the file read, if any.
    """

    attribute: str
    name: str
    value: Any
    pending: dict[str, Any] | None
    origin: str
    path: str | None
    plain: bool
    location: Location

    def task_entry(self) -> dict[str, Any]:
        """The config's item of the start task's ``--configs`` document."""
        return dict(self.pending) if self.pending is not None else {"value": self.value}


@dataclass
class InputRule:
    """How a task finds its inputs (docs/architecture.md, "Task identity and the input rule").

    ``alternatives`` groups the parents of a join of which exactly one runs: the paths of
    a switch that end at the join (inside one static branch, or inside a foreach body).
    The join takes one input per group, and one per parent outside every group.
    """

    kind: InputKind
    parents: list[str]
    alternatives: list[list[str]] = field(default_factory=list)

    def inputs(self) -> list[list[str]]:
        """The join's inputs in order, each the parents that can provide it."""
        groups: list[list[str]] = []
        for parent in self.parents:
            group = next((g for g in self.alternatives if parent in g), [parent])
            if group not in groups:
                groups.append(group)
        return groups

    def render(self) -> str:
        """The ``--inputs`` argument of the shim command, e.g. ``join:a,b`` (``join:a,b|c``
        when ``b`` and ``c`` are alternatives)."""
        if self.kind == "none":
            return "none"
        return f"{self.kind}:{','.join('|'.join(g) for g in self.inputs())}"

    @classmethod
    def parse(cls, text: str) -> InputRule:
        kind, _, names = text.partition(":")
        if kind not in ("none", "same", "enter", "join", "join-foreach", "any"):
            raise ValueError(f"unknown input rule {text!r}")
        groups = [g.split("|") for g in names.split(",") if g]
        return cls(
            kind,  # type: ignore[arg-type]
            [p for g in groups for p in g],
            [g for g in groups if len(g) > 1],
        )


@dataclass
class Switch:
    """``self.next({"case": self.step, ...}, condition="attr")``; case keys stay strings."""

    condition: str
    cases: dict[str, str]


@dataclass
class Step:
    name: str
    kind: StepKind
    transition: Transition
    next: list[str]
    parents: list[str]
    is_join: bool
    input_rule: InputRule
    foreach_var: str | None
    num_parallel: int | str | None
    switch: Switch | None
    recursive: bool
    foreach_depth: int
    foreach_stack: list[str]
    split_stack: list[str]
    matching_join: str | None
    docstring: str | None
    decorators: list[Decorator]
    location: Location
    #: Where the ``self.next(..., num_parallel=N)`` call is (None without num_parallel).
    num_parallel_location: Location | None = None
    #: A foreach's width when the source fixes it (a list display, ``range`` of literals or
    #: of parameter defaults: ``flowc/analyzer/_foreach_width.py``); None when only the
    #: run knows it, and for steps that are not foreach splits.
    foreach_width: int | None = None
    #: Where the ``self.next(..., foreach=...)`` call is (None without foreach).
    foreach_location: Location | None = None

    def decorator(self, name: str) -> Decorator | None:
        return next((d for d in self.decorators if d.name == name), None)


@dataclass
class FlowIR:
    """A whole flow. ``steps`` are in a deterministic topological order from start
    (breadth-first, children in the order ``self.next`` names them), so a consumer can
    emit them in order without sorting again."""

    name: str
    file: str
    source_sha256: str
    docstring: str | None
    start: str
    end: str
    parameters: list[Parameter]
    decorators: list[Decorator]
    steps: list[Step]
    configs: list[Config] = field(default_factory=list)
    ir_version: int = IR_VERSION
    _index: dict[str, Step] = field(default_factory=dict, repr=False, compare=False)

    def step(self, name: str) -> Step:
        if len(self._index) != len(self.steps):
            self._index = {s.name: s for s in self.steps}
        return self._index[name]

    def decorator(self, name: str) -> Decorator | None:
        return next((d for d in self.decorators if d.name == name), None)

    def foreach_body(self, split: str) -> list[str]:
        """The steps inside foreach ``split``'s body, nested bodies included, in IR order.

        Read from the scopes the graph analysis gave every step (``foreach_stack``), so a
        backend never walks the graph to find a body again.
        """
        return [s.name for s in self.steps if split in s.foreach_stack]

    def split_of(self, join: str) -> Step | None:
        """The split step whose branches ``join`` joins (``matching_join``)."""
        return next((s for s in self.steps if s.matching_join == join), None)

    def config_document(self) -> str | None:
        """The start task's ``--configs`` argument: every config by name, as one JSON
        document (sorted keys, so the bytes are the same on every compile)."""
        if not self.configs:
            return None
        import json

        entries = {c.name: c.task_entry() for c in self.configs}
        return json.dumps(entries, sort_keys=True, separators=(",", ":"))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("_index")
        ordered = {"ir_version": data.pop("ir_version")}
        ordered.update(data)
        return ordered

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FlowIR:
        version = data.get("ir_version")
        if version != IR_VERSION:
            raise ValueError(f"IR version {version!r} is not supported (expected {IR_VERSION})")
        return cls(
            name=data["name"],
            file=data["file"],
            source_sha256=data["source_sha256"],
            docstring=data["docstring"],
            start=data["start"],
            end=data["end"],
            parameters=[_parameter(p) for p in data["parameters"]],
            decorators=[_decorator(d) for d in data["decorators"]],
            steps=[_step(s) for s in data["steps"]],
            configs=[_config(c) for c in data["configs"]],
            ir_version=version,
        )


def _location(data: dict[str, Any]) -> Location:
    return Location(data["file"], data["line"], data["column"])


def _decorator(data: dict[str, Any]) -> Decorator:
    return Decorator(
        data["name"],
        dict(data["args"]),
        dict(data["source_args"]),
        _location(data["location"]),
        list(data["given"]),
    )


def _parameter(data: dict[str, Any]) -> Parameter:
    fields = dict(data)
    fields["location"] = _location(data["location"])
    return Parameter(**fields)


def _config(data: dict[str, Any]) -> Config:
    fields = dict(data)
    fields["location"] = _location(data["location"])
    return Config(**fields)


def _step(data: dict[str, Any]) -> Step:
    fields = dict(data)
    rule = data["input_rule"]
    fields["input_rule"] = InputRule(
        rule["kind"], list(rule["parents"]), [list(g) for g in rule["alternatives"]]
    )
    sw = data["switch"]
    fields["switch"] = Switch(sw["condition"], dict(sw["cases"])) if sw else None
    fields["decorators"] = [_decorator(d) for d in data["decorators"]]
    fields["location"] = _location(data["location"])
    at = data.get("num_parallel_location")
    fields["num_parallel_location"] = _location(at) if at else None
    at = data.get("foreach_location")
    fields["foreach_location"] = _location(at) if at else None
    return Step(**fields)
