"""Small flows that write one decorator argument, compiled for one target variant.

A sample value is derived from the catalogue's declaration of the argument (its kind,
choices, bounds and default), so a new argument needs no new test data. A few pairs need
company to mean anything (a GPU vendor without GPUs, a branch without a project), listed in
``COMPANIONS``; ``VALUES`` overrides a sample where the kind's example is not a value the
targets accept (a Kubernetes secret name is lowercase).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backends.base import TargetOptions, get_backend
from backends.coverage import WHOLE
from backends.support_tables import Variant
from flowc.compiler import analyze_source
from flowc.diagnostics import Diagnostic
from runtime_shim.catalogue import DECORATORS, Arg

# Arguments written beside the argument under test, per decorator (what it cannot lack)
# or per pair (what gives the argument something to act on).
REQUIRED: dict[str, dict[str, str]] = {
    "timeout": {"minutes": "5"},
    "trigger": {"event": '"data_ready"'},
    "trigger_on_finish": {"flow": '"UpstreamFlow"'},
    "project": {"name": '"fraud"'},
    "exit_hook": {"on_success": '["notify"]'},  # a bare @exit_hook is an error (Metaflow's)
}
COMPANIONS: dict[tuple[str, str], dict[str, str]] = {
    ("kubernetes", "gpu_vendor"): {"gpu": "1"},
}
VALUES: dict[tuple[str, str], str] = {
    ("schedule", "daily"): "True",  # daily=False alone names no schedule
    ("kubernetes", "secrets"): '["db-credentials"]',
    ("kubernetes", "image"): '"registry.example.com/train:2"',
    # The option Argo's Sensor maps (others are refused).
    ("trigger", "options"): '{"reset_at": {"cron": "0 0 * * *", "timezone": "UTC"}}',
    ("trigger_on_finish", "options"): '{"reset_at": {"cron": "0 0 * * *"}}',
    ("exit_hook", "on_success"): '["notify", "page"]',  # more than the required company
}
# What a decorator's bare form is compared with when "no decorator" is not a valid flow
# for every target, or the argument's only valid value is its default.
ALTERNATIVE_BASELINE: dict[str, dict[str, str]] = {"schedule": {"hourly": "True"}}

_SAMPLES = {
    "identifier": '"failure"',
    "string-map": '{"team": "ml"}',
    "environment-vars": '{"MODE": "fast"}',
    "string-list": '["sample"]',
    "secret-sources": '["db-credentials"]',
    "json-object": '{"key": "value"}',
    "flow-names": '"UpstreamFlow"',
    "function-names": '["notify"]',
}


def sample(arg: Arg) -> str:
    """A literal for ``arg`` that the catalogue accepts, unlike its default when possible."""
    default = arg.default
    if arg.choices:
        return repr(next((c for c in arg.choices if c != default), arg.choices[0]))
    if arg.kind.name in ("whole", "number"):
        number = (default or 0) + 1
        if arg.minimum is not None:
            number = max(number, int(arg.minimum) + 1)
        if arg.maximum is not None and number > arg.maximum:
            number = int(arg.maximum)
        return str(number)
    if arg.kind.name == "boolean":
        return "False" if default else "True"
    if arg.kind.name == "string":
        return '"sample"'
    return _SAMPLES.get(arg.kind.name, arg.kind.example)


@dataclass(frozen=True)
class Written:
    """A decorator application: its name and argument texts."""

    name: str
    arguments: dict[str, str]

    def text(self) -> str:
        inside = ", ".join(f"{k}={v}" for k, v in self.arguments.items())
        return f"@{self.name}({inside})" if inside else f"@{self.name}"


def application(name: str, argument: str) -> Written:
    """The decorator writing ``argument`` (or only its required company for ``WHOLE``)."""
    definition = DECORATORS[name]
    arguments = dict(REQUIRED.get(name, {}))
    if argument != WHOLE:
        arguments.update(COMPANIONS.get((name, argument), {}))
        groups = [g for g in definition.exclusive if argument in g]
        for key in list(arguments):
            if any(key in g for g in groups):
                del arguments[key]
        arg = definition.arg(argument)
        assert arg is not None
        arguments[argument] = VALUES.get((name, argument), sample(arg))
    return Written(name, arguments)


def baseline(name: str, argument: str) -> Written | None:
    """What ``application(name, argument)`` is compared with (None: no decorator)."""
    definition = DECORATORS[name]
    if name in ALTERNATIVE_BASELINE:
        written = application(name, argument)
        arg = definition.arg(argument) if argument != WHOLE else None
        if arg is None or written.arguments[argument] == repr(arg.default):
            return Written(name, ALTERNATIVE_BASELINE[name])
    if argument == WHOLE:
        return None
    company = dict(REQUIRED.get(name, {}))
    company.update(COMPANIONS.get((name, argument), {}))
    return Written(name, company)


def flow_source(written: Written | None) -> tuple[str, int]:
    """A flow using ``written`` (on the class, or on a step), and the decorator's line."""
    lines = ["from flowc import *", "", ""]
    placement = DECORATORS[written.name].placement if written else "step"
    line = len(lines) + 1
    if written is not None and placement == "flow":
        lines.append(written.text())
    lines.append("class CoverageFlow(FlowSpec):")
    if written is not None and written.name == "parallel":
        line = len(lines) + 5
        lines += [
            "    @step",
            "    def start(self):",
            "        self.next(self.train, num_parallel=2)",
            "",
            "    " + written.text(),
            "    @step",
            "    def train(self):",
            "        self.next(self.join)",
            "",
            "    @step",
            "    def join(self, inputs):",
            "        self.next(self.end)",
        ]
    else:
        if written is not None and placement == "step":
            line = len(lines) + 1
            lines.append("    " + written.text())
        lines += ["    @step", "    def start(self):", "        self.next(self.end)"]
    lines += ["", "    @step", "    def end(self):", "        pass", ""]
    return "\n".join(lines), line


def options(variant: Variant, source: str) -> TargetOptions:
    extra: dict[str, Any] = dict(variant.extra)
    if variant.target == "argo" and "@schedule" in source:
        extra["kind"] = "CronWorkflow"
    if variant.extra.get("compute") == "callback":
        extra["queue_url"] = "https://sqs.eu-west-1.amazonaws.com/1/flowc"
    if variant.target == "stepfunctions" and "@trigger" in source:
        # The options an EventBridge rule cannot be emitted without.
        extra["events_role_arn"] = "arn:aws:iam::123456789012:role/flowc-events"
        extra["region"], extra["account_id"] = "eu-west-1", "123456789012"
    return TargetOptions(datastore_root="s3://flowc-bucket/flows", extra=extra)


@dataclass
class Compiled:
    diagnostics: list[Diagnostic]
    files: dict[str, str]


def compile_for(variant: Variant, source: str) -> Compiled:
    """Analyze ``source`` and emit it for ``variant``; every diagnostic of both."""
    analysis = analyze_source("coverage_flow.py", source)
    if analysis.ir is None:
        return Compiled(analysis.diagnostics, {})
    # Two flows that differ only in one argument still differ in their source hash, which
    # the targets record; a fixed hash leaves only what the argument changes.
    analysis.ir.source_sha256 = "0" * 64
    result = get_backend(variant.target).emit(analysis.ir, options(variant, source))
    files = {f.path: f.content for f in result.files}
    return Compiled([*analysis.diagnostics, *result.diagnostics], files)
