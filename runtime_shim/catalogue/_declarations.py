"""Every decorator of the user API, as Metaflow 2.19 declares it.

Defaults are Metaflow's, normalised (its ``"4096"`` is 4096 here). An argument whose default
is ``None`` is unset: the platform's own default applies (Metaflow's configuration, the
engine's). Where Metaflow validates a value at run time (``@kubernetes``'s cpu, disk and
memory > 0, ``@retry``'s attempt budget, ``@timeout`` > 0) the same rule is written here,
so the compiler reports it at the decorator's line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime_shim.catalogue import _kinds as k
from runtime_shim.catalogue._model import Arg, DecoratorDef, Problem

# Metaflow's MAX_ATTEMPTS: one normal attempt, the retries, one @catch fallback.
MAX_ATTEMPTS = 6
MAX_RETRIES = MAX_ATTEMPTS - 2


def _positive(name: str, doc: str, unit: str | None = None, default: Any = None) -> Arg:
    return Arg(name, k.NUMBER, default, doc, minimum=0, exclusive_minimum=True, unit=unit)


def _megabytes(name: str, doc: str, default: int | None = None) -> Arg:
    return Arg(
        name,
        k.WHOLE,
        default,
        doc,
        minimum=0,
        exclusive_minimum=True,
        unit="MB",
        example_value="4096",
    )


def _whole(name: str, doc: str, default: int | None = None, unit: str | None = None) -> Arg:
    return Arg(name, k.WHOLE, default, doc, minimum=0, unit=unit)


def _flag(name: str, doc: str, default: bool | None = False) -> Arg:
    return Arg(name, k.BOOLEAN, default, doc)


def _text(name: str, doc: str, default: str | None = None, *choices: str) -> Arg:
    return Arg(name, k.STRING, default, doc, choices=choices)


def _timeout_is_set(values: Mapping[str, Any]) -> Problem | None:
    if timeout_seconds(values) > 0:
        return None
    return Problem(
        "invalid-value",
        None,
        "@timeout needs a duration > 0 (seconds, minutes or hours)",
        "write e.g. @timeout(minutes=30)",
    )


def _one_event_source(first: str, many: str) -> Any:
    def check(values: Mapping[str, Any]) -> Problem | None:
        if values.get(first) or values.get(many):
            return None
        return Problem(
            "invalid-value", None, f"give `{first}` or `{many}`", f"write e.g. {first}=..."
        )

    return check


def timeout_seconds(values: Mapping[str, Any]) -> int:
    """``@timeout``'s whole duration in seconds (Metaflow adds the three arguments)."""
    return int(
        (values.get("hours") or 0) * 3600
        + (values.get("minutes") or 0) * 60
        + (values.get("seconds") or 0)
    )


def retry_delay_seconds(values: Mapping[str, Any]) -> int:
    """``@retry``'s pause between attempts, in seconds."""
    seconds: int = round((values.get("minutes_between_retries") or 0) * 60)
    return seconds


def schedule_cron(values: Mapping[str, Any]) -> str | None:
    """``@schedule``'s 5-field cron, chosen in Metaflow's order: cron, weekly, hourly, daily."""
    if values.get("cron"):
        cron: str = values["cron"]
        return cron
    if values.get("weekly"):
        return "0 0 * * 0"
    if values.get("hourly"):
        return "0 * * * *"
    if values.get("daily"):
        return "0 0 * * *"
    return None


_ENVIRONMENT_ARGS = (
    Arg("packages", k.PACKAGES, {}, "Packages and their versions"),
    Arg("python", k.PYTHON_VERSION, None, "Python version of the environment"),
    Arg("disabled", k.BOOLEAN, None, "Run without the environment"),
)
_CONDA_ARGS = (
    *_ENVIRONMENT_ARGS[:1],
    Arg("libraries", k.PACKAGES, {}, "Deprecated alias of packages (Metaflow keeps both)"),
    *_ENVIRONMENT_ARGS[1:],
)

STEP = (
    DecoratorDef(
        "retry",
        "step",
        "Retry the step when it fails.",
        (
            Arg(
                "times",
                k.WHOLE,
                3,
                "Retries after the first attempt",
                minimum=0,
                maximum=MAX_RETRIES,
            ),
            Arg(
                "minutes_between_retries",
                k.NUMBER,
                2,
                "Pause between attempts",
                minimum=0,
                unit="minutes",
            ),
        ),
    ),
    DecoratorDef(
        "catch",
        "step",
        "Record the step's exception as an artifact instead of failing the run.",
        (
            Arg("var", k.IDENTIFIER, None, "Artifact that receives the exception"),
            _flag("print_exception", "Print the exception", True),
        ),
    ),
    DecoratorDef(
        "timeout",
        "step",
        "Fail the step when it runs longer than the given duration.",
        (
            _whole("seconds", "Seconds", 0, "seconds"),
            _whole("minutes", "Minutes", 0, "minutes"),
            _whole("hours", "Hours", 0, "hours"),
        ),
        checks=(_timeout_is_set,),
    ),
    DecoratorDef(
        "resources",
        "step",
        "Resources the step needs, on whichever compute it runs.",
        (
            _positive("cpu", "CPU cores", default=1),
            _whole("gpu", "GPUs"),
            _megabytes("disk", "Disk size"),
            _megabytes("memory", "Memory", 4096),
            _megabytes("shared_memory", "Size of /dev/shm"),
        ),
    ),
    DecoratorDef(
        "environment",
        "step",
        "Environment variables of the step's process.",
        (Arg("vars", k.ENVIRONMENT_VARS, {}, "Variables and their values"),),
    ),
    DecoratorDef(
        "kubernetes",
        "step",
        "Run the step as a Kubernetes pod with these settings.",
        (
            _positive("cpu", "CPU cores", default=1),
            _megabytes("memory", "Memory", 4096),
            _megabytes("disk", "Ephemeral storage", 10240),
            _text("image", "Container image"),
            _text(
                "image_pull_policy", "Image pull policy", None, "Always", "IfNotPresent", "Never"
            ),
            Arg("image_pull_secrets", k.STRING_LIST, None, "Secrets for pulling the image"),
            _text("service_account", "Service account of the pod"),
            Arg("secrets", k.FLOW_NAMES, None, "Kubernetes secrets exposed as environment"),
            Arg("node_selector", k.STRING_MAP, None, "Node selector labels"),
            _text("namespace", "Namespace of the pod"),
            _whole("gpu", "GPUs"),
            _text("gpu_vendor", "GPU vendor (resource name prefix)"),
            Arg("tolerations", k.TOLERATIONS, None, "Pod tolerations"),
            Arg("labels", k.STRING_MAP, None, "Pod labels"),
            Arg("annotations", k.STRING_MAP, None, "Pod annotations"),
            _flag("use_tmpfs", "Mount a tmpfs", None),
            _flag("tmpfs_tempdir", "Point TMPDIR at the tmpfs", True),
            _megabytes("tmpfs_size", "Size of the tmpfs"),
            _text("tmpfs_path", "Mount path of the tmpfs", "/metaflow_temp"),
            Arg("persistent_volume_claims", k.VOLUME_CLAIMS, None, "Volumes to mount"),
            _megabytes("shared_memory", "Size of /dev/shm"),
            Arg("port", k.WHOLE, None, "Port the pod exposes", minimum=1, maximum=65535),
            _text("compute_pool", "Compute pool"),
            _text("executable", "Python executable in the image"),
            _whole("hostname_resolution_timeout", "Seconds to wait for hostnames", 600, "seconds"),
            _text(
                "qos",
                "Quality-of-service class",
                "Burstable",
                "Guaranteed",
                "Burstable",
                "BestEffort",
            ),
            Arg("extended_resources", k.STRING_MAP, {}, "Extra resource requests"),
            Arg("security_context", k.JSON_OBJECT, None, "Container security context"),
        ),
    ),
    DecoratorDef(
        "batch",
        "step",
        "Run the step as an AWS Batch job with these settings.",
        (
            _positive("cpu", "vCPUs"),
            _whole("gpu", "GPUs"),
            _megabytes("memory", "Memory"),
            _text("image", "Container image"),
            _text("queue", "Job queue"),
            _text("iam_role", "Job role ARN"),
            _text("execution_role", "Execution role ARN (Fargate)"),
            _megabytes("shared_memory", "Size of /dev/shm"),
            _whole("max_swap", "Swap", unit="MB"),
            Arg("swappiness", k.WHOLE, None, "Swappiness", minimum=0, maximum=100),
            Arg("inferentia", k.WHOLE, None, "Inferentia chips", minimum=0, aliases=("trainium",)),
            _whole("efa", "EFA devices"),
            Arg("host_volumes", k.FLOW_NAMES, None, "Host paths to mount"),
            Arg("efs_volumes", k.FLOW_NAMES, None, "EFS volumes to mount"),
            _flag("use_tmpfs", "Mount a tmpfs"),
            Arg("aws_batch_tags", k.STRING_MAP, None, "Tags of the job"),
            _flag("tmpfs_tempdir", "Point TMPDIR at the tmpfs", True),
            _megabytes("tmpfs_size", "Size of the tmpfs"),
            _text("tmpfs_path", "Mount path of the tmpfs", "/metaflow_temp"),
            _whole("ephemeral_storage", "Ephemeral storage (Fargate)", unit="GiB"),
            _text("log_driver", "Log driver"),
            Arg("log_options", k.STRING_LIST, None, "Log driver options"),
            _text("executable", "Python executable in the image"),
            _flag("privileged", "Run privileged"),
        ),
    ),
    DecoratorDef(
        "secrets",
        "step",
        "Secrets fetched at task start and exposed as environment variables.",
        (
            Arg("sources", k.SECRET_SOURCES, [], "Secret sources"),
            _text("role", "Role assumed to read the secrets"),
            _flag("allow_override", "Let secrets override existing variables"),
        ),
    ),
    DecoratorDef(
        "card",
        "step",
        "A report rendered when the task ends.",
        (
            _text("type", "Card type", "default"),
            _text("id", "Card id"),
            Arg("options", k.JSON_OBJECT, {}, "Options of the card type"),
            _text("scope", "Scope", "task", "task"),
            _text("rank", "Ordering hint", None, "high", "medium", "low"),
            _whole("timeout", "Rendering time limit", 45, "seconds"),
            _flag("save_errors", "Render an error card when rendering fails", True),
            _flag("customize", "The card the step's components go to"),
            Arg(
                "refresh_interval", k.NUMBER, 5, "Live refresh interval", minimum=0, unit="seconds"
            ),
        ),
        allow_multiple=True,
    ),
    DecoratorDef("parallel", "step", "Run the step as a gang of num_parallel tasks."),
    DecoratorDef(
        "unbounded_test_foreach_internal",
        "step",
        "Metaflow's internal test decorator: the foreach body over an unbounded input.",
    ),
    DecoratorDef("pypi", "step", "PyPI packages of the step's environment.", _ENVIRONMENT_ARGS),
    DecoratorDef("conda", "step", "Conda packages of the step's environment.", _CONDA_ARGS),
)

FLOW = (
    DecoratorDef(
        "schedule",
        "flow",
        "Run the flow on a schedule when deployed.",
        (
            Arg("cron", k.CRON, None, "Cron expression"),
            _flag("weekly", "Every Sunday at midnight"),
            _flag("daily", "Every day at midnight", True),
            _flag("hourly", "Every hour"),
            Arg("timezone", k.TIMEZONE, None, "Time zone of the schedule"),
        ),
        exclusive=(("hourly", "daily", "weekly", "cron"),),
    ),
    DecoratorDef(
        "project",
        "flow",
        "Group flows of one project; deployed names carry the project and branch.",
        (
            _text("name", "Project name"),
            _text("branch", "Branch"),
            _flag("production", "Deploy the production branch"),
        ),
    ),
    DecoratorDef(
        "trigger",
        "flow",
        "Start the deployed flow when an event arrives.",
        (
            Arg("event", k.EVENTS, None, "Event"),
            Arg("events", k.EVENTS, [], "Events"),
            Arg("options", k.JSON_OBJECT, {}, "Engine options"),
        ),
        exclusive=(("event", "events"),),
        checks=(_one_event_source("event", "events"),),
    ),
    DecoratorDef(
        "trigger_on_finish",
        "flow",
        "Start the deployed flow when another flow finishes.",
        (
            Arg("flow", k.UPSTREAM_FLOWS, None, "Upstream flow"),
            Arg("flows", k.UPSTREAM_FLOWS, [], "Upstream flows"),
            Arg("options", k.JSON_OBJECT, {}, "Engine options"),
        ),
        exclusive=(("flow", "flows"),),
        checks=(_one_event_source("flow", "flows"),),
    ),
    DecoratorDef(
        "pypi_base", "flow", "PyPI packages of every step's environment.", _ENVIRONMENT_ARGS
    ),
    DecoratorDef("conda_base", "flow", "Conda packages of every step's environment.", _CONDA_ARGS),
    DecoratorDef(
        "exit_hook",
        "flow",
        "Functions run after the flow finishes.",
        (
            Arg("on_success", k.STEP_NAMES, [], "Run when the flow succeeds"),
            Arg("on_error", k.STEP_NAMES, [], "Run when the flow fails"),
            Arg("options", k.JSON_OBJECT, {}, "Engine options"),
        ),
        allow_multiple=True,
        checks=(_one_event_source("on_success", "on_error"),),  # as Metaflow requires
    ),
)
