"""Decorators → Airflow settings: per-task arguments and DAG-level options.

Only literal decorator arguments are used (the analyzer keeps the rest as source text and
warns); what Airflow cannot honour comes back as an FC302 warning at the decorator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowc.diagnostics import Diagnostic, Span, diag
from flowc.ir import Decorator, FlowIR, Location, Step

_SCHEDULES = {"hourly": "0 * * * *", "daily": "0 0 * * *", "weekly": "0 0 * * 0"}


@dataclass
class StepSettings:
    """What one step's decorators ask of its Airflow task."""

    retries: int = 0
    retry_delay_seconds: float | None = None
    timeout_seconds: float | None = None
    env: dict[str, str] = field(default_factory=dict)
    cpu: str | None = None
    memory: str | None = None
    gpu: str | None = None
    gpu_vendor: str = "nvidia"
    disk: str | None = None
    secrets: list[str] = field(default_factory=list)
    image: str | None = None
    namespace: str | None = None


@dataclass
class FlowSettings:
    schedule_cron: str | None = None
    timezone: str | None = None
    tags: list[str] = field(default_factory=list)


def _span(location: Location) -> Span:
    return Span.at(location.file, location.line, location.column)


def _args(decorator: Decorator) -> dict[str, Any]:
    """The IR's resolved arguments over the catalogue's defaults (bare ``@retry`` means times=3)."""
    from runtime_shim.catalogue import decorator as catalogue_entry

    entry = catalogue_entry(decorator.name)
    merged = entry.defaults() if entry is not None else {}
    merged.update(decorator.args)
    return merged


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _quantity(value: Any, unit: str = "") -> str | None:
    """A Kubernetes quantity; Metaflow's bare numbers for memory/disk mean MiB."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = int(value) if float(value).is_integer() else value
        return f"{number}{unit}"
    return str(value)


def step_settings(step: Step, local: bool) -> tuple[StepSettings, list[Diagnostic]]:
    settings = StepSettings()
    notes: list[Diagnostic] = []
    for deco in step.decorators:
        args = _args(deco)
        if deco.name == "retry":
            settings.retries = int(_number(args.get("times")) or 0)
            minutes = _number(args.get("minutes_between_retries")) or 0.0
            settings.retry_delay_seconds = minutes * 60
        elif deco.name == "timeout":
            total = sum(
                (_number(args.get(k)) or 0.0) * m
                for k, m in (("seconds", 1), ("minutes", 60), ("hours", 3600))
            )
            settings.timeout_seconds = total or None
        elif deco.name == "environment":
            env = args.get("vars") or {}
            if isinstance(env, dict):
                settings.env.update({str(k): str(v) for k, v in env.items()})
        elif deco.name in ("resources", "kubernetes"):
            _resources(settings, args, deco.name == "kubernetes", set(deco.given))
        elif deco.name == "secrets":
            sources = args.get("sources") or []
            settings.secrets.extend(str(s) for s in sources if isinstance(s, str))
        elif deco.name == "batch":
            notes.append(
                diag(
                    "FC302",
                    f"@batch on step {step.name!r} is ignored on Airflow; "
                    "steps run as Kubernetes pods",
                    _span(deco.location),
                    "use @resources or @kubernetes for the pod's size",
                )
            )
    if local and settings.secrets:
        notes.append(
            diag(
                "FC302",
                f"@secrets on step {step.name!r} needs the Kubernetes operator; "
                "the local operator does not fetch secrets",
                _span(step.location),
            )
        )
    return settings, notes


def _resources(
    settings: StepSettings, args: dict[str, Any], is_kubernetes: bool, given: set[str]
) -> None:
    # @resources gives defaults; what @kubernetes (applied after it in step order) writes
    # overrides, and its own defaults only fill what is still unset.
    def wanted(key: str) -> bool:
        return not is_kubernetes or key in given or getattr(settings, key) is None

    if args.get("cpu") is not None and wanted("cpu"):
        settings.cpu = _quantity(args["cpu"])
    if args.get("memory") is not None and wanted("memory"):
        settings.memory = _quantity(args["memory"], "Mi")
    if args.get("gpu") not in (None, 0, "0") and wanted("gpu"):
        settings.gpu = _quantity(args["gpu"])
    if args.get("disk") is not None and wanted("disk"):
        settings.disk = _quantity(args["disk"], "Mi")
    if is_kubernetes:
        if isinstance(args.get("gpu_vendor"), str):
            settings.gpu_vendor = args["gpu_vendor"].lower()
        if isinstance(args.get("image"), str):
            settings.image = args["image"]
        if isinstance(args.get("namespace"), str):
            settings.namespace = args["namespace"]
        secrets = args.get("secrets")
        if isinstance(secrets, list):
            settings.secrets.extend(str(s) for s in secrets)


def flow_settings(ir: FlowIR) -> tuple[FlowSettings, list[Diagnostic]]:
    settings = FlowSettings(tags=["flowc", f"flow:{ir.name}"])
    notes: list[Diagnostic] = []
    for deco in ir.decorators:
        args = _args(deco)
        if deco.name == "schedule":
            settings.schedule_cron = _cron(args)
            tz = args.get("timezone")
            settings.timezone = tz if isinstance(tz, str) else None
        elif deco.name == "project":
            if isinstance(args.get("name"), str):
                settings.tags.append(f"project:{args['name']}")
            if isinstance(args.get("branch"), str):
                settings.tags.append(f"branch:{args['branch']}")
        elif deco.name in ("trigger", "trigger_on_finish"):
            notes.append(
                diag(
                    "FC302",
                    f"@{deco.name} is not mapped to Airflow; the DAG runs on "
                    "its schedule or when triggered",
                    _span(deco.location),
                    "trigger the DAG from the other DAG or an Asset by hand",
                )
            )
    return settings, notes


def _cron(args: dict[str, Any]) -> str:
    if isinstance(args.get("cron"), str):
        return str(args["cron"])
    # An explicit hourly/weekly wins over the default daily=True.
    for key in ("hourly", "weekly", "daily"):
        if args.get(key) is True:
            return _SCHEDULES[key]
    return _SCHEDULES["daily"]
