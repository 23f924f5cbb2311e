"""Decorators → Airflow settings: per-task arguments and DAG-level options.

What Airflow does with each decorator argument, per operator mode, is declared in
:mod:`backends.airflow._coverage`; its rejections are reported from there, and the
functions here map the rest from the resolved arguments in the IR. A value the engine
cannot use (a secret held outside Kubernetes) is an FC308 error at the decorator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backends.airflow._coverage import coverage
from backends.airflow._limits import OPTION_KEYS as MAP_LENGTH_OPTION_KEYS
from backends.coverage import mapped_values
from backends.fanout import OPTION_KEYS as FANOUT_OPTION_KEYS
from backends.secrets import kubernetes_secret_names
from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import FlowIR, Step

# Every key read from ``--option``/``[tool.flowc.airflow]``, with what it means.
OPTION_KEYS: dict[str, str] = {
    "operator": "how steps run: kubernetes (default, one pod per task) or local (processes)",
    "dag_id": "the DAG id (default: the flow class name)",
    "tags": "comma-separated extra DAG tags",
    "flow_file": "path of the flow file where the task runs",
    **MAP_LENGTH_OPTION_KEYS,
    **FANOUT_OPTION_KEYS,
}
_TOLERATION_FIELDS = {"tolerationSeconds": "toleration_seconds"}


@dataclass
class StepSettings:
    """What one step's decorators ask of its Airflow task (pod fields: kubernetes mode)."""

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
    pod: dict[str, Any] = field(default_factory=dict)


@dataclass
class FlowSettings:
    schedule_cron: str | None = None
    timezone: str | None = None
    tags: list[str] = field(default_factory=list)


def _quantity(value: Any, unit: str = "") -> str:
    """A Kubernetes quantity; Metaflow's bare numbers for memory/disk mean MiB."""
    number = int(value) if float(value).is_integer() else value
    return f"{number}{unit}"


def step_settings(step: Step, local: bool) -> tuple[StepSettings, list[Diagnostic]]:
    settings = StepSettings()
    notes: list[Diagnostic] = []
    table = coverage(local)
    for deco in step.decorators:
        notes.extend(table.review(deco, f"on step {step.name!r}"))
        args = mapped_values(table, deco)
        if args is None:
            continue
        if deco.name == "retry":
            from runtime_shim.catalogue import retry_delay_seconds

            settings.retries = int(args.get("times") or 0)
            settings.retry_delay_seconds = retry_delay_seconds(args)
        elif deco.name == "timeout":
            from runtime_shim.catalogue import timeout_seconds

            settings.timeout_seconds = timeout_seconds(args) or None
        elif deco.name == "environment":
            settings.env.update(args.get("vars") or {})
        elif deco.name in ("resources", "kubernetes"):
            _resources(settings, args)
            if deco.name == "kubernetes":
                notes.extend(
                    diag(
                        codes.FC308, f"@kubernetes on step {step.name!r}: {p}", deco.location.span()
                    )
                    for p in _pod(settings, args)
                )
        if deco.name in ("secrets", "kubernetes"):
            sources = args.get("sources" if deco.name == "secrets" else "secrets") or []
            names, problems = kubernetes_secret_names(sources, "an Airflow pod")
            settings.secrets.extend(n for n in names if n not in settings.secrets)
            notes.extend(
                diag(codes.FC308, f"@{deco.name} on step {step.name!r}: {p}", deco.location.span())
                for p in problems
            )
    if not local:
        _kubernetes_defaults(settings, step)
    return settings, notes


def _kubernetes_defaults(settings: StepSettings, step: Step) -> None:
    """As in Metaflow, @kubernetes's own cpu, memory and disk defaults fill what neither
    it nor @resources set."""
    dec = step.decorator("kubernetes")
    if dec is None:
        return
    defaults = {k: v for k, v in dec.args.items() if k in ("cpu", "memory", "disk")}
    unset = {
        key: value
        for key, value in defaults.items()
        if value is not None and getattr(settings, key) is None
    }
    _resources(settings, unset)


def _resources(settings: StepSettings, args: dict[str, Any]) -> None:
    # @resources gives defaults; @kubernetes (applied after it in step order) overrides.
    if args.get("cpu") is not None:
        settings.cpu = _quantity(args["cpu"])
    if args.get("memory") is not None:
        settings.memory = _quantity(args["memory"], "Mi")
    if args.get("gpu"):
        settings.gpu = _quantity(args["gpu"])
    if args.get("disk") is not None:
        settings.disk = _quantity(args["disk"], "Mi")
    if args.get("shared_memory") is not None:
        settings.pod["shared_memory"] = _quantity(args["shared_memory"], "Mi")


def _pod(settings: StepSettings, args: dict[str, Any]) -> list[str]:
    """@kubernetes's pod fields, in the names of the Kubernetes client's models; the
    problems of values Kubernetes would refuse."""
    from backends.argo._names import LABEL_KEY, label_problem, name_problem

    problems: list[str] = [
        problem
        for what, name, subdomain in (
            ("namespace", args.get("namespace"), False),
            ("service_account", args.get("service_account"), True),
            *(("image pull secret", n, True) for n in args.get("image_pull_secrets") or []),
            *(("claim", n, True) for n in args.get("persistent_volume_claims") or {}),
        )
        if name is not None and (problem := name_problem(what, name, subdomain)) is not None
    ]
    if args.get("gpu_vendor") is not None:
        settings.gpu_vendor = args["gpu_vendor"].lower()
    settings.image = args.get("image", settings.image)
    settings.namespace = args.get("namespace", settings.namespace)
    pod = settings.pod
    for key in ("node_selector", "labels"):
        for label, value in (args.get(key) or {}).items():
            if (problem := label_problem(key, label, value)) is not None:
                problems.append(problem)
    bad_keys = [k for k in args.get("annotations") or {} if not LABEL_KEY.match(k)]
    problems.extend(f"annotation key {k!r} is not a valid Kubernetes key" for k in bad_keys)
    for key, name in (
        ("node_selector", "node_selector"),
        ("labels", "labels"),
        ("annotations", "annotations"),
        ("persistent_volume_claims", "volumes"),
    ):
        if args.get(key):
            pod[name] = dict(sorted(args[key].items()))
    for key in ("service_account", "image_pull_policy"):
        if args.get(key) is not None:
            pod[key] = args[key]
    if args.get("image_pull_secrets"):
        pod["image_pull_secrets"] = list(args["image_pull_secrets"])
    if args.get("tolerations"):
        pod["tolerations"] = [
            {_TOLERATION_FIELDS.get(k, k): v for k, v in sorted(t.items())}
            for t in args["tolerations"]
        ]
    return problems


def flow_settings(ir: FlowIR, local: bool) -> tuple[FlowSettings, list[Diagnostic]]:
    settings = FlowSettings(tags=["flowc", f"flow:{ir.name}"])
    notes: list[Diagnostic] = []
    table = coverage(local)
    for deco in ir.decorators:
        notes.extend(table.review(deco, "on the flow"))
        args = mapped_values(table, deco)
        if args is None:
            continue
        if deco.name == "schedule":
            from runtime_shim.catalogue import InvalidValue, parse_cron, schedule_cron

            try:
                # Airflow (croniter) reads the normal 5 fields, as the catalogue writes them.
                settings.schedule_cron = parse_cron(schedule_cron(args) or "0 0 * * *").text
            except InvalidValue as error:
                notes.append(diag(codes.FC308, f"@schedule cron: {error}", deco.location.span()))
            settings.timezone = args.get("timezone")
        elif deco.name == "project" and args.get("name") is not None:
            # The branch tag is the deployment's (backends/project.py), set by the emitter.
            settings.tags.append(f"project:{args['name']}")
    return settings, notes
