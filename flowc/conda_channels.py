"""Whether a ``@conda``/``@conda_base`` environment can be built here, and why not.

A conda environment needs a channel to solve against. flowc looks for one only when a flow
uses ``@conda``: each channel of ``$FLOWC_CONDA_CHANNEL`` (comma-separated URLs, default
conda-forge) is asked for its ``noarch/repodata.json`` (an HTTP ``HEAD``, or the file of a
``file://`` channel) within ``$FLOWC_CONDA_TIMEOUT`` seconds (default 3). The answer is
remembered for the process: ``flowc check`` of many flows asks once.

flowc builds no conda environments yet, so every ``@conda`` is an FC213 error at its
decorator; what the probe changes is the message, which says what is missing (no channel
answered, and what each one said) or, when a channel answers, that the builder is.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from flowc import codes
from flowc.diagnostics import Diagnostic, diag
from flowc.ir import Decorator, FlowIR

CHANNEL_VARIABLE = "FLOWC_CONDA_CHANNEL"
TIMEOUT_VARIABLE = "FLOWC_CONDA_TIMEOUT"
DEFAULT_CHANNELS = ("https://conda.anaconda.org/conda-forge",)
DEFAULT_TIMEOUT = 3.0
_HINT = (
    f"use @pypi (or @pypi_base) with the packages' PyPI names, or set {CHANNEL_VARIABLE} "
    "to a conda channel this machine reaches (comma-separated URLs)"
)


@dataclass(frozen=True)
class Probe:
    """One channel's answer: ``reachable`` when it served its ``noarch/repodata.json``;
    ``detail`` says what happened otherwise (``HTTP 404``, ``connection refused``...)."""

    channel: str
    reachable: bool
    detail: str


def channels() -> tuple[str, ...]:
    """The channels to try, from ``$FLOWC_CONDA_CHANNEL`` or the default."""
    given = os.environ.get(CHANNEL_VARIABLE, "")
    named = tuple(c.strip().rstrip("/") for c in given.split(",") if c.strip())
    return named or DEFAULT_CHANNELS


def _timeout() -> float:
    try:
        return float(os.environ.get(TIMEOUT_VARIABLE, DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def probe(channel: str, timeout: float) -> Probe:
    """Ask ``channel`` for its noarch index, without downloading it."""
    import urllib.error
    import urllib.request

    url = f"{channel}/noarch/repodata.json"
    if channel.startswith("file://"):
        path = url.removeprefix("file://")
        found = os.path.isfile(path)
        return Probe(channel, found, "ok" if found else f"no file {path}")
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Probe(channel, True, f"HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        return Probe(channel, False, f"HTTP {exc.code} for noarch/repodata.json")
    except urllib.error.URLError as exc:
        return Probe(channel, False, _reason(exc.reason))
    except (OSError, ValueError) as exc:
        return Probe(channel, False, _reason(exc))


def _reason(reason: object) -> str:
    """A short cause: ``connection refused``, ``cannot resolve the host``, ``timed out``."""
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, TimeoutError):
        return "timed out"
    text = str(reason)
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "cannot resolve the host"
    if "Temporary failure in name resolution" in text:
        return "cannot resolve the host"
    return text


@functools.lru_cache(maxsize=8)
def _probes(tried: tuple[str, ...], timeout: float) -> tuple[Probe, ...]:
    return tuple(probe(channel, timeout) for channel in tried)


def probes() -> tuple[Probe, ...]:
    """Every configured channel's answer (asked once per process and configuration)."""
    return _probes(channels(), _timeout())


def conda_decorators(ir: FlowIR) -> list[tuple[Decorator, str]]:
    """Every ``@conda_base`` and ``@conda`` with where it is (``on the flow``...)."""
    found = [(d, "on the flow") for d in ir.decorators if d.name == "conda_base"]
    found += [
        (d, f"on step '{s.name}'") for s in ir.steps for d in s.decorators if d.name == "conda"
    ]
    return found


def conda_diagnostics(ir: FlowIR) -> list[Diagnostic]:
    """FC213 at every ``@conda``/``@conda_base`` of ``ir``, saying what is missing; no
    channel is asked when the flow has none."""
    found = conda_decorators(ir)
    if not found:
        return []
    answers = probes()
    reachable = [p.channel for p in answers if p.reachable]
    if reachable:
        missing = (
            f"channel {reachable[0]} answers, but flowc does not build conda environments "
            "yet (docs/environments.md)"
        )
    else:
        tried = "; ".join(f"{p.channel} ({p.detail})" for p in answers)
        missing = f"no conda channel reachable: tried {tried}"
    return [
        diag(
            codes.FC213,
            f"@{d.name} {where}: {missing}; {_who(d)} would run without {_wanted(d)}",
            d.location.span(),
            _HINT,
        )
        for d, where in found
    ]


def _who(dec: Decorator) -> str:
    return "every step" if dec.name == "conda_base" else "the step"


def _wanted(dec: Decorator) -> str:
    packages = dec.args.get("packages") or {}
    if "packages" in dec.source_args or not isinstance(packages, dict) or not packages:
        return "its conda packages"
    pins = sorted((str(name), str(version)) for name, version in packages.items())
    return ", ".join(f"{name}={version}" if version else name for name, version in pins)
