"""Step decorators → what a Step Functions Task state and its container can express.

``@retry`` becomes the state's ``Retry`` (the attempt number reaches the shim through
``$$.State.RetryCount``), ``@timeout`` its ``TimeoutSeconds``, ``@resources``/``@batch``
the Batch or ECS resource requirements, ``@environment`` the container environment.
``@catch`` and ``@card`` are implemented by the shim itself. Anything else is an FC302
warning at the decorator's line: never dropped without a word.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flowc.diagnostics import Diagnostic, Span, diag
from flowc.ir import Decorator, Step

_SHIM_ONLY = {"catch", "card", "step"}
_RESOURCE_KEYS = ("cpu", "memory", "gpu")


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


def span_of(dec: Decorator) -> Span:
    return Span.at(dec.location.file, dec.location.line, dec.location.column)


@dataclass
class _Mapper:
    step: Step
    compute: str
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
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
        except (TypeError, ValueError):
            self.warn(dec, f"argument {key}={value!r} is not a number; ignored")
            return default
        if number < 0:
            self.warn(dec, f"argument {key}={value!r} is negative; ignored")
            return default
        return number

    def retry(self, dec: Decorator) -> None:
        times = self.number(dec, "times", 3) or 0
        minutes = self.number(dec, "minutes_between_retries", 2) or 0
        if times != int(times):
            self.warn(dec, f"times={times:g} is not a whole number; ignored")
            times = 0
        self.settings.retries = int(times)
        self.settings.retry_delay_seconds = int(minutes * 60)

    def timeout(self, dec: Decorator) -> None:
        total = sum(
            (self.number(dec, k, 0) or 0) * m
            for k, m in (("seconds", 1), ("minutes", 60), ("hours", 3600))
        )
        self.settings.timeout_seconds = int(total)

    def resources(self, dec: Decorator, known: tuple[str, ...]) -> None:
        for key in sorted({*dec.given, *dec.source_args}):
            if key not in known:
                self.warn(dec, f"argument '{key}' has no Step Functions equivalent; ignored")
        cpu = self.number(dec, "cpu", None)
        if cpu is not None:
            self.settings.cpu = max(cpu, self.settings.cpu or 0)
        memory = self.number(dec, "memory", None)
        if memory is not None:
            self.settings.memory = max(int(memory), self.settings.memory or 0)
        gpu = self.number(dec, "gpu", None)
        if gpu:
            self.settings.gpu = max(int(gpu), self.settings.gpu or 0)
            if self.compute == "ecs":
                self.warn(dec, "GPUs need an EC2 launch type on ECS (Fargate has none)")

    def batch(self, dec: Decorator) -> None:
        self.resources(dec, (*_RESOURCE_KEYS, "queue", "image", "iam_role", "execution_role"))
        queue = dec.args.get("queue")
        if isinstance(queue, str) and queue:
            if self.compute == "batch":
                self.settings.job_queue = queue
            else:
                self.warn(dec, f"queue applies to compute=batch, not {self.compute}; ignored")
        for key in ("image", "iam_role", "execution_role"):
            if dec.args.get(key) is not None:
                self.warn(
                    dec,
                    f"{key} is fixed by the job definition; ignored",
                    "set it in the Batch job definition or ECS task definition",
                )

    def environment(self, dec: Decorator) -> None:
        if "vars" in dec.source_args:
            self.warn(dec, "argument vars is not a literal; ignored")
            return
        value = dec.args.get("vars") or {}
        if not isinstance(value, dict):
            self.warn(dec, "argument vars must be a mapping; ignored")
            return
        for key, val in value.items():
            text = val if isinstance(val, str) else json.dumps(val)
            self.settings.env.append((str(key), text))

    def apply(self, dec: Decorator) -> None:
        name = dec.name
        if name in _SHIM_ONLY:
            return
        if name == "retry":
            self.retry(dec)
        elif name == "timeout":
            self.timeout(dec)
        elif name == "resources":
            self.resources(dec, (*_RESOURCE_KEYS, "disk", "shared_memory"))
            for key in ("disk", "shared_memory"):
                if dec.args.get(key) is not None:
                    self.warn(dec, f"{key} is fixed by the job/task definition; ignored")
        elif name == "batch":
            self.batch(dec)
        elif name == "environment":
            self.environment(dec)
        elif name == "kubernetes":
            self.warn(
                dec,
                "the step runs on AWS Batch/ECS, not Kubernetes; only cpu, memory and gpu are used",
            )
            kept = Decorator(
                name, {k: v for k, v in dec.args.items() if k in _RESOURCE_KEYS}, {}, dec.location
            )
            self.resources(kept, _RESOURCE_KEYS)
        elif name == "secrets":
            self.warn(
                dec,
                "secrets are attached in the Batch job definition or ECS task definition; ignored",
            )
        elif name == "parallel":
            pass  # reported with num_parallel as FC301
        else:
            self.warn(dec, "not supported on Step Functions; ignored")


def step_settings(step: Step, compute: str) -> tuple[StepSettings, list[Diagnostic]]:
    mapper = _Mapper(step, compute)
    for dec in step.decorators:
        mapper.apply(dec)
    return mapper.settings, mapper.diagnostics


def env_list(settings: StepSettings) -> list[dict[str, Any]]:
    """``[{"Name": ..., "Value": ...}]``; later assignments of one name win, as in a dict."""
    merged = dict(settings.env)
    return [{"Name": k, "Value": v} for k, v in merged.items()]
