"""Step decorators → what a Step Functions Task state and its container can express.

What each compute mode does with every decorator argument is declared in
:mod:`backends.stepfunctions._coverage`; its rejections are reported from there, and the
mapper here applies the rest from the resolved arguments in the IR: ``@retry`` becomes the
state's ``Retry`` (the attempt number reaches the shim through ``$$.State.RetryCount``),
``@timeout`` its ``TimeoutSeconds``, ``@resources``/``@batch`` the Batch or ECS resource
requirements, ``@environment`` the container environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backends.coverage import mapped_values
from backends.stepfunctions._coverage import BY_COMPUTE
from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import Decorator, Step


@dataclass
class StepSettings:
    """Everything about a step's Task state that comes from decorators.

    ``cpu`` is in vCPUs, ``memory`` in MiB (Metaflow's megabytes), ``gpu`` a count.
    """

    env: list[tuple[str, str]] = field(default_factory=list)
    cpu: float | None = None
    memory: int | None = None
    gpu: int | None = None
    job_queue: str | None = None
    retries: int = 0
    retry_delay_seconds: int = 0
    timeout_seconds: int = 0


__all__ = ["StepSettings", "env_list", "step_settings"]


@dataclass
class _Mapper:
    step: Step
    compute: str
    settings: StepSettings = field(default_factory=StepSettings)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def warn(self, dec: Decorator, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(
            diag(
                codes.FC302,
                f"@{dec.name} on step '{self.step.name}': {message}",
                dec.location.span(),
                hint,
            )
        )

    def apply(self, dec: Decorator, values: dict[str, Any]) -> None:
        from runtime_shim.catalogue import retry_delay_seconds, timeout_seconds

        if dec.name == "retry":
            self.settings.retries = int(values.get("times") or 0)
            self.settings.retry_delay_seconds = retry_delay_seconds(values)
        elif dec.name == "timeout":
            self.settings.timeout_seconds = timeout_seconds(values)
        elif dec.name == "environment":
            self.settings.env.extend((values.get("vars") or {}).items())
        elif dec.name in ("resources", "kubernetes", "batch"):
            self.resources(dec, values)
            if values.get("queue"):
                self.settings.job_queue = values["queue"]

    def resources(self, dec: Decorator, values: dict[str, Any]) -> None:
        if values.get("cpu") is not None:
            self.settings.cpu = max(values["cpu"], self.settings.cpu or 0)
        if values.get("memory") is not None:
            self.settings.memory = max(int(values["memory"]), self.settings.memory or 0)
        if values.get("gpu"):
            self.settings.gpu = max(int(values["gpu"]), self.settings.gpu or 0)
            if self.compute == "ecs":
                self.warn(dec, "GPUs need an EC2 launch type on ECS (Fargate has none)")


def step_settings(step: Step, compute: str) -> tuple[StepSettings, list[Diagnostic]]:
    coverage = BY_COMPUTE[compute]
    mapper = _Mapper(step, compute)
    for dec in step.decorators:
        mapper.diagnostics.extend(coverage.review(dec, f"on step '{step.name}'"))
        values = mapped_values(coverage, dec)
        if values is not None:
            mapper.apply(dec, values)
    return mapper.settings, mapper.diagnostics


def env_list(settings: StepSettings) -> list[dict[str, Any]]:
    """``[{"Name": ..., "Value": ...}]``; later assignments of one name win, as in a dict."""
    merged = dict(settings.env)
    return [{"Name": k, "Value": v} for k, v in merged.items()]
