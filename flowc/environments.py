"""Step environments of ``@pypi``/``@pypi_base``, and the flow's lock file.

Each step's environment is the flow's ``@pypi_base`` merged with the step's ``@pypi``
(Metaflow's rules: the step's packages override the base's name by name, the step's
``python`` and ``disabled`` win when given). A step with neither, or with ``disabled``
true, has no environment of its own.

Every distinct environment is resolved once, with ``uv pip compile --generate-hashes``,
for the platform the deployed tasks run on (:data:`PLATFORM`), into the flow's lock file
``<flow stem>.flowc-lock.json`` beside the flow::

    {"format": 1, "platform": "x86_64-manylinux_2_28",
     "environments": {KEY: {"python": "3.11", "packages": {"six": "1.16.0"},
                            "requirements": "six==1.16.0 \\\\\\n    --hash=sha256:...\\n"}}}

``KEY`` is a hash of the environment's inputs (Python version and requested packages), so a
changed ``@pypi`` has no entry and the lock is stale. The file is written with sorted keys
and no timestamps: the same resolution gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from flowc import codes
from flowc.conda_channels import conda_diagnostics
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import Decorator, FlowIR
from runtime_shim import environment as _runtime

# The lock's name and format are the runtime's (it reads the lock inside a container).
LOCK_FORMAT = _runtime.LOCK_FORMAT
LOCK_SUFFIX = _runtime.LOCK_SUFFIX
lock_path = _runtime.lock_path
PLATFORM = "x86_64-manylinux_2_28"
_OPERATORS = ("==", "!=", "<", ">", "~=", "===")


@dataclass(frozen=True)
class Environment:
    """What a step asks for: a Python version (``X.Y``) and packages (name -> version
    specifier; a bare version means ``==``, ``""`` any version), sorted by name."""

    python: str
    packages: tuple[tuple[str, str], ...]

    @property
    def key(self) -> str:
        text = json.dumps({"python": self.python, "packages": self.packages}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def requirements_in(self) -> str:
        """The requested packages as a requirements file (the resolver's input)."""
        lines = []
        for name, version in self.packages:
            spec = version.strip()
            if spec and not spec.startswith(_OPERATORS):
                spec = f"=={spec}"
            lines.append(f"{name}{spec}")
        return "".join(f"{line}\n" for line in lines)


@dataclass(frozen=True)
class StepEnvironment:
    step: str
    environment: Environment
    decorator: Decorator  # where the diagnostics about it point (the step's or the base)


def default_python() -> str:
    """The Python of an environment that names none: the interpreter running flowc."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def step_environments(ir: FlowIR) -> tuple[list[StepEnvironment], list[Diagnostic]]:
    """The environment of every step that has one, FC211 errors for arguments the
    compiler cannot read (a non-literal ``packages`` or ``python``) and FC213 errors for
    ``@conda``/``@conda_base`` (:mod:`flowc.conda_channels`)."""
    base = ir.decorator("pypi_base")
    found: list[StepEnvironment] = []
    problems = conda_diagnostics(ir)
    for step in ir.steps:
        own = step.decorator("pypi")
        if own is None and base is None:
            continue
        layers = [d for d in (base, own) if d is not None]
        unreadable = [(d, name) for d in layers for name in ("packages", "python", "disabled")]
        bad = [(d, name) for d, name in unreadable if name in d.source_args]
        if bad:
            problems.extend(
                diag(
                    codes.FC211,
                    f"@{d.name}({name}=...) on step '{step.name}' is not a literal; flowc "
                    "resolves environments before the run",
                    d.location.span(),
                    "write the value as a literal (a dict of names to version strings)",
                )
                for d, name in bad
            )
            continue
        packages: dict[str, str] = {}
        python: str | None = None
        disabled = False
        for layer in layers:
            packages.update({str(k): str(v) for k, v in (layer.args.get("packages") or {}).items()})
            python = layer.args.get("python") or python
            if "disabled" in layer.given or layer.args.get("disabled") is not None:
                disabled = bool(layer.args.get("disabled"))
        if disabled:
            continue
        env = Environment(python or default_python(), tuple(sorted(packages.items())))
        found.append(StepEnvironment(step.name, env, own or layers[0]))
    return found, problems


# -- the lock file ---------------------------------------------------------------------


def read_lock(path: str) -> dict[str, Any] | None:
    """The lock file's environments by key, or None when there is no readable lock."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != LOCK_FORMAT:
        return None
    environments = data.get("environments")
    return environments if isinstance(environments, dict) else None


def render_lock(entries: dict[str, dict[str, Any]]) -> str:
    document = {"format": LOCK_FORMAT, "platform": PLATFORM, "environments": entries}
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def lock_entry(env: Environment, requirements: str) -> dict[str, Any]:
    return {"python": env.python, "packages": dict(env.packages), "requirements": requirements}


def stale(
    steps: list[StepEnvironment], locked: dict[str, Any] | None, path: str
) -> list[Diagnostic]:
    """FC211 for every step whose environment the lock at ``path`` does not hold."""
    name = os.path.basename(path)
    problems = []
    for item in steps:
        if locked is not None and item.environment.key in locked:
            continue
        why = "there is no lock file" if locked is None else f"{name} does not hold it"
        problems.append(
            diag(
                codes.FC211,
                f"the environment of step '{item.step}' is not locked: {why}",
                item.decorator.location.span(),
                f"run `flowc lock {_flow_of(path)}` to resolve it into {name}",
            )
        )
    return problems


def environment_diagnostics(ir: FlowIR, flow_file: str) -> list[Diagnostic]:
    """What ``flowc check`` and a local run report about the flow's environments: the
    unreadable arguments and @conda (:func:`step_environments`) and every step whose
    environment the lock beside ``flow_file`` does not hold."""
    steps, problems = step_environments(ir)
    if steps:
        path = lock_path(flow_file)
        problems += stale(steps, read_lock(path), path)
    return problems


def locked_addresses(ir: FlowIR, flow_file: str) -> dict[str, str]:
    """What a compiled spec names: the address of every step's locked environment
    (:func:`runtime_shim.environment.address`), which its task command carries. Steps
    whose environment the lock does not hold are left out: :func:`environment_diagnostics`
    reports them (FC211), and a spec with errors is not written."""
    steps, _ = step_environments(ir)
    locked = read_lock(lock_path(flow_file)) if steps else None
    addresses = {}
    for item in steps:
        entry = (locked or {}).get(item.environment.key)
        if entry is not None:
            addresses[item.step] = _runtime.address(
                str(entry["python"]), str(entry["requirements"])
            )
    return addresses


def _flow_of(lock: str) -> str:
    return os.path.basename(lock.removesuffix(LOCK_SUFFIX) + ".py")


# -- resolving -------------------------------------------------------------------------


class ResolveError(Exception):
    """The resolver's refusal, with its own message."""


def uv_binary() -> str:
    """The ``uv`` executable of flowc's own installation (PyPI's ``uv`` package, a runtime
    dependency), else the first ``uv`` on PATH."""
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise ResolveError("uv is not installed (pip install uv)") from None
        return found


def resolve(env: Environment) -> str:
    """The hashed, pinned requirements of ``env`` for :data:`PLATFORM`."""
    command = [
        uv_binary(),
        "pip",
        "compile",
        "-",
        "--generate-hashes",
        "--no-header",
        "--no-annotate",
        "--python-version",
        env.python,
        "--python-platform",
        PLATFORM,
    ]
    done = subprocess.run(
        command, input=env.requirements_in(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise ResolveError(done.stderr.strip() or f"uv exited with code {done.returncode}")
    return done.stdout


def resolve_failure(items: list[StepEnvironment], message: str) -> Diagnostic:
    """FC212 at the first step's decorator, naming every step of the environment."""
    env = items[0].environment
    steps = ", ".join(f"'{i.step}'" for i in items)
    wanted = ", ".join(f"{n}{'==' + v if v and v[0].isdigit() else v}" for n, v in env.packages)
    return diag(
        codes.FC212,
        f"cannot resolve the environment of step {steps} (python {env.python}: "
        f"{wanted or 'no packages'}): {message}",
        items[0].decorator.location.span(),
        "check the package names and versions on https://pypi.org",
    )


def group(steps: list[StepEnvironment]) -> dict[str, list[StepEnvironment]]:
    """Steps by environment key, in step order."""
    out: dict[str, list[StepEnvironment]] = {}
    for item in steps:
        out.setdefault(item.environment.key, []).append(item)
    return out
