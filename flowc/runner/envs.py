"""Cached virtual environments for the steps of a local run.

An environment lives in ``$FLOWC_ENV_CACHE`` (default ``$XDG_CACHE_HOME/flowc/envs``, else
``~/.cache/flowc/envs``) under its lock key. It is built in a temporary directory beside
its final place (``uv venv --relocatable``, then ``uv pip install --require-hashes`` from
the lock) and renamed into place only when complete, so a failed or interrupted build
leaves nothing a later run would trust, and of two concurrent builders one wins and the
other discards its copy.

The environment holds only the step's packages. The flowc runtime reaches it at task
start: the environment's ``flowc-shim.pth`` adds the directory named by
``FLOWC_SHIM_PATH`` as a site directory, and the runner points that variable at a
directory of links to its own packages (:func:`shim_site`), so an environment is shared
by every flowc installation on the machine without holding a copy of any.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import _flowc_metaflow
import backends
import flowc
import runtime_shim
from flowc.environments import Environment, ResolveError, uv_binary

READY = "flowc-ready"
_SHIM_PTH = "import os, site; _p = os.environ.get('FLOWC_SHIM_PATH'); _p and site.addsitedir(_p)\n"


def cache_root() -> str:
    explicit = os.environ.get("FLOWC_ENV_CACHE")
    if explicit:
        return explicit
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "flowc", "envs")


class EnvironmentBuildError(Exception):
    """uv could not create or fill an environment; the message is uv's."""


def env_python(path: str) -> str:
    return os.path.join(path, "bin", "python")


def ensure_environment(
    key: str,
    env: Environment,
    requirements: str,
    root: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> str:
    """The interpreter of the environment ``key``, built first if it is not cached."""
    root = root or cache_root()
    final = os.path.join(root, key)
    if os.path.exists(os.path.join(final, READY)):
        return env_python(final)
    os.makedirs(root, exist_ok=True)
    began = time.monotonic()
    if progress:
        progress(f"building environment {key} (python {env.python}, {len(env.packages)} packages)")
    build = tempfile.mkdtemp(prefix=f".build-{key}-", dir=root)
    try:
        _build(build, env, requirements)
        try:
            os.rename(build, final)
        except OSError:
            # Another builder published first (the target exists and is not empty).
            if not os.path.exists(os.path.join(final, READY)):
                raise
    finally:
        shutil.rmtree(build, ignore_errors=True)
    if progress:
        progress(f"built environment {key} in {time.monotonic() - began:.1f}s")
    return env_python(final)


def _build(path: str, env: Environment, requirements: str) -> None:
    try:
        uv = uv_binary()
    except ResolveError as exc:
        raise EnvironmentBuildError(str(exc)) from None
    mine = f"{sys.version_info.major}.{sys.version_info.minor}"
    python = sys.executable if env.python == mine else env.python
    _uv([uv, "venv", "--quiet", "--relocatable", "--python", python, path])
    locked = os.path.join(path, "flowc-requirements.txt")
    with open(locked, "w", encoding="utf-8") as handle:
        handle.write(requirements)
    _uv(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--require-hashes",
            "--no-deps",
            "--python",
            env_python(path),
            "-r",
            locked,
        ]
    )
    with open(os.path.join(_site_packages(path), "flowc-shim.pth"), "w") as handle:
        handle.write(_SHIM_PTH)
    with open(os.path.join(path, READY), "w") as handle:
        handle.write("")


def _uv(command: list[str]) -> None:
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, env=_uv_environment()
    )
    if done.returncode != 0:
        raise EnvironmentBuildError(done.stderr.strip() or f"uv exited with {done.returncode}")


def _uv_environment() -> dict[str, str]:
    # A VIRTUAL_ENV of the caller would make uv act on the caller's environment.
    return {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PYTHON")}


def _site_packages(path: str) -> str:
    lib = os.path.join(path, "lib")
    (python_dir,) = [d for d in os.listdir(lib) if d.startswith("python")]
    return os.path.join(lib, python_dir, "site-packages")


def shim_site(directory: str) -> str:
    """A directory of links to flowc's own packages (the runtime a task imports) and the
    ``import metaflow`` fallback; ``FLOWC_SHIM_PATH`` names it for the environments."""
    os.makedirs(directory, exist_ok=True)
    for module in (runtime_shim, flowc, backends):
        source = os.path.dirname(os.path.abspath(module.__file__ or ""))
        os.symlink(source, os.path.join(directory, os.path.basename(source)))
    fallback = os.path.abspath(_flowc_metaflow.__file__)
    os.symlink(fallback, os.path.join(directory, os.path.basename(fallback)))
    with open(os.path.join(directory, "flowc-metaflow.pth"), "w") as handle:
        handle.write("import _flowc_metaflow\n")
    return directory
