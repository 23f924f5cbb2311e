"""Step decorators → the container settings Argo can express.

What Argo does with each decorator argument is declared in :mod:`backends.argo._coverage`;
the declared rejections are reported from there, and the handlers here map the rest from
the resolved arguments in the IR. A value Kubernetes would refuse (an invalid label, a
secret source that is not a Kubernetes secret) is an FC308 error at the decorator's line:
nothing is dropped without a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from backends.argo._coverage import COVERAGE
from backends.argo._literals import LBRACE_VAR
from backends.argo._names import IMAGE, LABEL_KEY, label_problem, name_problem
from backends.coverage import mapped_values
from backends.secrets import kubernetes_secret_names
from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import Decorator, Step

_MEMORY_UNIT = "M"  # Metaflow sizes memory and disk in megabytes
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_TOLERATION_VALUE = re.compile(r"^[A-Za-z0-9._/-]*$")


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
    port: int | None = None


@dataclass
class _Mapper:
    step: Step
    settings: StepSettings = field(default_factory=StepSettings)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def reject(self, dec: Decorator, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(
            diag(
                codes.FC308,
                f"@{dec.name} on step '{self.step.name}': {message}",
                dec.location.span(),
                hint,
            )
        )

    def retry(self, dec: Decorator, values: dict[str, Any]) -> None:
        from runtime_shim.catalogue import retry_delay_seconds

        self.settings.retries = int(values.get("times") or 0)
        self.settings.retry_delay_seconds = retry_delay_seconds(values)

    def timeout(self, dec: Decorator, values: dict[str, Any]) -> None:
        from runtime_shim.catalogue import timeout_seconds

        self.settings.timeout_seconds = timeout_seconds(values)

    def resources(self, dec: Decorator, values: dict[str, Any]) -> None:
        if values.get("cpu") is not None:
            self._max_request("cpu", values["cpu"], f"{values['cpu']:g}")
        for key, resource in (("memory", "memory"), ("disk", "ephemeral-storage")):
            amount = values.get(key)
            if amount is not None:
                self._max_request(resource, amount, f"{int(amount)}{_MEMORY_UNIT}")
        if values.get("gpu"):
            vendor = values.get("gpu_vendor") or "nvidia"
            if not re.match(r"^[A-Za-z0-9-]+$", vendor):
                self.reject(dec, f"gpu_vendor {vendor!r} is not a vendor name")
                return
            self.settings.limits[f"{vendor.lower()}.com/gpu"] = str(int(values["gpu"]))

    def _max_request(self, resource: str, amount: float, text: str) -> None:
        current = self.settings.requests.get(resource)
        if current is None or _amount(current) < amount:
            self.settings.requests[resource] = text

    def kubernetes(self, dec: Decorator, values: dict[str, Any]) -> None:
        self.resources(dec, values)
        if values.get("port") is not None:
            self._port(dec, values["port"])
        image = values.get("image")
        if image is not None:
            if IMAGE.match(image):
                self.settings.image = image
            else:
                self.reject(dec, f"image {image!r} is not a container image reference")
        account = values.get("service_account")
        if account is not None:
            problem = name_problem("service_account", account)
            if problem is None:
                self.settings.service_account = account
            else:
                self.reject(dec, problem)
        for key, value in (values.get("node_selector") or {}).items():
            problem = label_problem("node_selector", key, value)
            if problem is None:
                self.settings.node_selector[key] = value
            else:
                self.reject(dec, problem)
        for toleration in values.get("tolerations") or []:
            if all(
                isinstance(v, int) or (isinstance(v, str) and _TOLERATION_VALUE.match(v))
                for v in toleration.values()
            ):
                self.settings.tolerations.append(dict(sorted(toleration.items())))
            else:
                self.reject(dec, f"toleration {toleration!r} is not a Kubernetes toleration")
        self._secret_sources(dec, values.get("secrets"))
        if values.get("image_pull_policy") is not None:
            self.settings.image_pull_policy = values["image_pull_policy"]
        for key, value in (values.get("labels") or {}).items():
            problem = label_problem("label", key, value)
            if problem is None:
                self.settings.pod_labels[key] = value
            else:
                self.reject(dec, problem)
        for key, value in (values.get("annotations") or {}).items():
            # Argo templates a template's metadata, and annotations have no escape.
            if LABEL_KEY.match(key) and "{{" not in value:
                self.settings.pod_annotations[key] = value
            else:
                self.reject(
                    dec, f"annotation {key}={value!r} cannot be passed through Argo unchanged"
                )

    def environment(self, dec: Decorator, values: dict[str, Any]) -> None:
        for name, value in (values.get("vars") or {}).items():
            if name == LBRACE_VAR:
                self.reject(dec, f"environment variable {name} is reserved by flowc")
            elif not _ENV_NAME.match(name):
                self.reject(dec, f"environment variable name {name!r} is not valid in Kubernetes")
            else:
                self.settings.env.append((name, value))

    def _port(self, dec: Decorator, port: Any) -> None:
        if isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536:
            self.settings.port = port
        else:
            self.reject(dec, f"port {port!r} is not a TCP port number")

    def parallel(self, dec: Decorator, values: dict[str, Any]) -> None:
        """Nothing to set: the step's template becomes a JobSet (backends/argo/_jobset.py)."""

    def secrets(self, dec: Decorator, values: dict[str, Any]) -> None:
        self._secret_sources(dec, values.get("sources"))

    def _secret_sources(self, dec: Decorator, sources: list[Any] | None) -> None:
        names, problems = kubernetes_secret_names(sources or [], "Argo pods")
        for problem in problems:
            self.reject(dec, problem, "name a Secret in the workflow's namespace")
        for name in names:
            if name not in self.settings.secrets:
                self.settings.secrets.append(name)


def _amount(text: str) -> float:
    return float(re.sub(r"[^0-9.]", "", text) or 0)


def step_settings(step: Step) -> tuple[StepSettings, list[Diagnostic]]:
    """Map one step's decorators; every declared rejection is reported."""
    mapper = _Mapper(step)
    for dec in step.decorators:
        mapper.diagnostics.extend(COVERAGE.review(dec, f"on step '{step.name}'"))
        values = mapped_values(COVERAGE, dec)
        if values is not None:
            getattr(mapper, dec.name)(dec, values)
    kubernetes = step.decorator("kubernetes")
    if kubernetes is not None:
        # As in Metaflow, @kubernetes's own cpu, memory and disk defaults fill what
        # neither it nor @resources set.
        unset = {
            key: kubernetes.args[key]
            for key, resource in (
                ("cpu", "cpu"),
                ("memory", "memory"),
                ("disk", "ephemeral-storage"),
            )
            if resource not in mapper.settings.requests and kubernetes.args.get(key) is not None
        }
        mapper.resources(kubernetes, unset)
    return mapper.settings, mapper.diagnostics
