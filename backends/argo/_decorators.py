"""Step decorators → the container settings Argo can express.

Each mapping reads the decorator's literal arguments from the IR. An argument Argo cannot
express, or a value that is not usable (non-literal, wrong type), becomes an FC302
warning at the decorator's line: it is never dropped without a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from backends.argo._literals import LBRACE_VAR
from backends.argo._names import IMAGE, LABEL_KEY, is_label, is_subdomain
from flowc.diagnostics import Diagnostic, Span, diag
from flowc.ir import Decorator, Step

# Decorators the shim implements by itself: nothing to map.
_SHIM_ONLY = {"catch", "card", "step"}
_NOT_ON_ARGO = {"batch": "@batch runs on AWS Batch; on Argo the step runs as a Kubernetes pod"}
_MEMORY_UNIT = "M"  # Metaflow sizes memory and disk in megabytes
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_TOLERATION_KEYS = {"key", "operator", "value", "effect", "tolerationSeconds"}
_TOLERATION_VALUE = re.compile(r"^[A-Za-z0-9._/-]*$")
_K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


@dataclass
class StepSettings:
    """Everything about a step's container that comes from decorators."""

    image: str | None = None
    env: list[tuple[str, str]] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    requests: dict[str, str] = field(default_factory=dict)
    limits: dict[str, str] = field(default_factory=dict)
    node_selector: dict[str, str] = field(default_factory=dict)
    tolerations: list[dict[str, Any]] = field(default_factory=list)
    service_account: str | None = None
    image_pull_policy: str | None = None
    pod_labels: dict[str, str] = field(default_factory=dict)
    pod_annotations: dict[str, str] = field(default_factory=dict)
    retries: int = 0
    retry_delay_seconds: int = 0
    timeout_seconds: int = 0


def span_of(dec: Decorator) -> Span:
    return Span.at(dec.location.file, dec.location.line, dec.location.column)


@dataclass
class _Mapper:
    step: Step
    settings: StepSettings = field(default_factory=StepSettings)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def warn(self, dec: Decorator, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(
            diag("FC302", f"@{dec.name} on step '{self.step.name}': {message}", span_of(dec), hint)
        )

    def number(self, dec: Decorator, key: str, default: float | None) -> float | None:
        if key in dec.source_args:
            self.warn(dec, f"argument {key}={dec.source_args[key]} is not a literal; ignored")
            return default
        value = dec.args.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.warn(dec, f"argument {key}={value!r} is not a number; ignored")
            return default
        try:
            number = float(value)
        except ValueError:
            self.warn(dec, f"argument {key}={value!r} is not a number; ignored")
            return default
        if number < 0:
            self.warn(dec, f"argument {key}={value!r} is negative; ignored")
            return default
        return number

    def string_map(self, dec: Decorator, key: str) -> dict[str, str]:
        value = dec.args.get(key)
        if key in dec.source_args:
            self.warn(dec, f"argument {key} is not a literal; ignored")
            return {}
        if value is None:
            return {}
        if isinstance(value, str):  # Metaflow also accepts "k=v,k2=v2"
            pairs = [p.partition("=") for p in value.split(",") if p.strip()]
            return {k.strip(): v.strip() for k, _, v in pairs}
        if isinstance(value, dict):
            return {str(k): v if isinstance(v, str) else _json(v) for k, v in value.items()}
        self.warn(dec, f"argument {key} must be a mapping; ignored")
        return {}

    def retry(self, dec: Decorator) -> None:
        times = self.number(dec, "times", 3)
        minutes = self.number(dec, "minutes_between_retries", 2)
        if times is not None and times != int(times):
            self.warn(dec, f"times={times} is not a whole number; ignored")
            times = 0
        self.settings.retries = int(times or 0)
        self.settings.retry_delay_seconds = int((minutes or 0) * 60)

    def timeout(self, dec: Decorator) -> None:
        total = sum(
            (self.number(dec, k, 0) or 0) * m
            for k, m in (("seconds", 1), ("minutes", 60), ("hours", 3600))
        )
        self.settings.timeout_seconds = int(total)

    def resources(self, dec: Decorator) -> None:
        for key in {*dec.given, *dec.source_args}:
            if key not in (
                "cpu",
                "memory",
                "gpu",
                "disk",
                "shared_memory",
                "gpu_vendor",
                "image",
                "service_account",
                "secrets",
                "node_selector",
                "namespace",
                "tolerations",
                "image_pull_policy",
                "labels",
                "annotations",
            ):
                self.warn(dec, f"argument '{key}' has no Argo equivalent; ignored")
        cpu = self.number(dec, "cpu", None)
        if cpu is not None:
            self._max_request("cpu", cpu, f"{cpu:g}")
        for key, resource in (("memory", "memory"), ("disk", "ephemeral-storage")):
            amount = self.number(dec, key, None)
            if amount is not None:
                self._max_request(resource, amount, f"{int(amount)}{_MEMORY_UNIT}")
        gpu = self.number(dec, "gpu", None)
        if gpu:
            vendor = dec.args.get("gpu_vendor") or "nvidia"
            if not (isinstance(vendor, str) and re.match(r"^[A-Za-z0-9-]+$", vendor)):
                self.warn(dec, f"gpu_vendor {vendor!r} is not a vendor name; using nvidia")
                vendor = "nvidia"
            self.settings.limits[f"{vendor.lower()}.com/gpu"] = str(int(gpu))
        if dec.args.get("shared_memory") is not None:
            self.warn(
                dec,
                "shared_memory needs a memory-backed volume, which flowc does not "
                "create on Argo; ignored",
            )

    def _max_request(self, resource: str, amount: float, text: str) -> None:
        current = self.settings.requests.get(resource)
        if current is None or _amount(current) < amount:
            self.settings.requests[resource] = text

    def kubernetes(self, dec: Decorator) -> None:
        self.resources(dec)
        image = dec.args.get("image")
        if image is not None:
            if isinstance(image, str) and IMAGE.match(image):
                self.settings.image = image
            else:
                self.warn(dec, f"image {image!r} is not a container image reference; ignored")
        account = dec.args.get("service_account")
        if account is not None:
            if isinstance(account, str) and is_subdomain(account):
                self.settings.service_account = account
            else:
                self.warn(dec, f"service_account {account!r} is not a Kubernetes name; ignored")
        for key, value in self.string_map(dec, "node_selector").items():
            if is_label(key, value):
                self.settings.node_selector[key] = value
            else:
                self.warn(dec, f"node_selector {key}={value!r} is not a valid label; ignored")
        tolerations = dec.args.get("tolerations") or []
        if not isinstance(tolerations, list):
            tolerations = [tolerations]
        for toleration in tolerations:
            if (
                isinstance(toleration, dict)
                and set(toleration) <= _TOLERATION_KEYS
                and all(
                    isinstance(v, int) or (isinstance(v, str) and _TOLERATION_VALUE.match(v))
                    for v in toleration.values()
                )
            ):
                self.settings.tolerations.append(dict(sorted(toleration.items())))
            else:
                self.warn(
                    dec,
                    f"toleration {toleration!r} is not a Kubernetes toleration; ignored",
                    "use keys " + ", ".join(sorted(_TOLERATION_KEYS)),
                )
        self._secret_sources(dec, dec.args.get("secrets"))
        policy = dec.args.get("image_pull_policy")
        if policy is not None:
            if policy in ("Always", "IfNotPresent", "Never"):
                self.settings.image_pull_policy = policy
            else:
                self.warn(
                    dec,
                    f"image_pull_policy {policy!r} is not Always, IfNotPresent or Never; ignored",
                )
        for key, value in self.string_map(dec, "labels").items():
            if is_label(key, value):
                self.settings.pod_labels[key] = value
            else:
                self.warn(dec, f"label {key}={value!r} is not a valid label; ignored")
        for key, value in self.string_map(dec, "annotations").items():
            # Argo templates a template's metadata, and annotations have no escape.
            if LABEL_KEY.match(key) and "{{" not in value:
                self.settings.pod_annotations[key] = value
            else:
                self.warn(
                    dec,
                    f"annotation {key}={value!r} cannot be passed through Argo unchanged; ignored",
                )
        if dec.args.get("namespace") is not None:
            self.warn(
                dec,
                "Argo runs every pod of a workflow in the workflow's namespace; "
                "the step-level namespace is ignored",
                "set the namespace for the whole flow with --namespace",
            )

    def environment(self, dec: Decorator) -> None:
        for name, value in self.string_map(dec, "vars").items():
            if name == LBRACE_VAR:
                self.warn(dec, f"environment variable {name} is reserved by flowc; ignored")
                continue
            if not _ENV_NAME.match(name):
                self.warn(
                    dec, f"environment variable name {name!r} is not valid in Kubernetes; ignored"
                )
                continue
            self.settings.env.append((name, value))

    def secrets(self, dec: Decorator) -> None:
        self._secret_sources(dec, dec.args.get("sources"))
        if dec.args.get("role"):
            self.warn(dec, "role has no Argo equivalent; ignored")

    def _secret_sources(self, dec: Decorator, sources: Any) -> None:
        if sources is None:
            return
        if isinstance(sources, str):
            sources = [sources]
        if not isinstance(sources, list):
            self.warn(dec, "secret sources must be a list; ignored")
            return
        for source in sources:
            name = source.get("id") if isinstance(source, dict) else source
            kind = source.get("type", "kubernetes") if isinstance(source, dict) else "kubernetes"
            if kind != "kubernetes" or not isinstance(name, str) or not _K8S_NAME.match(name):
                self.warn(
                    dec,
                    f"secret source {source!r} is not a Kubernetes secret name; ignored",
                    "name a Secret in the workflow's namespace",
                )
                continue
            if name not in self.settings.secrets:
                self.settings.secrets.append(name)


def _amount(text: str) -> float:
    return float(re.sub(r"[^0-9.]", "", text) or 0)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True)


def step_settings(step: Step) -> tuple[StepSettings, list[Diagnostic]]:
    """Map one step's decorators; unknown-to-Argo decorators produce FC302."""
    mapper = _Mapper(step)
    for dec in step.decorators:
        handler = getattr(mapper, dec.name, None) if dec.name not in _SHIM_ONLY else None
        if dec.name in _SHIM_ONLY:
            continue
        if dec.name in _NOT_ON_ARGO:
            mapper.warn(
                dec,
                _NOT_ON_ARGO[dec.name] + "; its settings are ignored",
                "use @kubernetes or @resources",
            )
        elif dec.name == "parallel":
            mapper.diagnostics.append(
                diag(
                    "FC301",
                    f"@parallel on step '{step.name}' cannot be expressed on Argo "
                    "(no gang-scheduled multi-node steps)",
                    span_of(dec),
                )
            )
        elif handler is not None and dec.name in (
            "retry",
            "timeout",
            "resources",
            "kubernetes",
            "environment",
            "secrets",
        ):
            handler(dec)
        else:
            mapper.warn(dec, "not supported on Argo; ignored")
    return mapper.settings, mapper.diagnostics
