"""A step's locked ``@pypi`` environment, found or built where the task runs.

One definition for the local runner and for every target's containers:

* an environment is named by its **address**, a hash of the Python version and the
  locked requirements (pinned versions with hashes, from the flow's lock file), so a
  changed lock is a new environment and a deployed spec that names an address installs
  exactly the requirements that were locked and tested;
* it is looked for in the directories of ``$FLOWC_ENV_PATH`` (environments baked into an
  image, read-only) and then in the cache (``$FLOWC_ENV_CACHE``, default
  ``$XDG_CACHE_HOME/flowc/envs`` or ``~/.cache/flowc/envs``, else a per-user directory
  under the temporary directory when the home is not writable) — a pod's ``/tmp`` or a
  volume shared by the pods of a node;
* when absent it is built atomically: in a temporary directory beside its final place,
  with uv when the image has it (``uv venv --relocatable``, ``uv pip install
  --require-hashes --no-deps``), else with ``python -m venv`` and ``pip install
  --require-hashes --no-deps``, and renamed into place only when complete. A failed or
  interrupted build leaves nothing a later task would trust; of two concurrent builders one
  publishes and the other discards its copy.

The environment holds only the locked packages. The flowc runtime reaches it through the
environment's ``flowc-shim.pth``, which adds the directory named by ``FLOWC_SHIM_PATH`` as
a site directory: links to the running installation's ``runtime_shim``, ``flowc``,
``backends``, the ``import metaflow`` fallback, and the distributions the runtime imports
inside a task (:data:`TASK_DISTRIBUTIONS`: boto3 for an S3 datastore, markdown-it-py for
cards), placed after the environment's own packages.

Standard library only, and nothing is imported at module level that a task without an
environment would pay for: the shim imports this module only for a command with
``--environment``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

LOCK_SUFFIX = ".flowc-lock.json"
LOCK_FORMAT = 1
READY = "flowc-ready"  # written last into a complete environment; holds its address
REQUIREMENTS = "flowc-requirements.txt"
SHIM_PATH_VARIABLE = "FLOWC_SHIM_PATH"
_ENTERED = "FLOWC_ENVIRONMENT_ENTERED"  # set for the exec'd interpreter, against loops
ADDRESS_LENGTH = 32  # hex digits of sha256: 128 bits
# Distributions the runtime imports inside a task when the flow needs them (an s3://
# datastore, Markdown on a card); linked into every environment with what they require.
TASK_DISTRIBUTIONS = ("boto3", "markdown-it-py")
_SHIM_PTH = (
    "import os, site; _p = os.environ.get('" + SHIM_PATH_VARIABLE + "'); "
    "_p and site.addsitedir(_p)\n"
)


class StepEnvironmentError(Exception):
    """The environment cannot be found, read from the lock or built; the message says
    which, quoting the installer."""


def address(python: str, requirements: str) -> str:
    """The content address of a locked environment."""
    text = json.dumps({"python": python, "requirements": requirements}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:ADDRESS_LENGTH]


def lock_path(flow_file: str) -> str:
    """The lock file of a flow: ``<flow stem>.flowc-lock.json`` beside it."""
    stem, _ = os.path.splitext(flow_file)
    return stem + LOCK_SUFFIX


def locked(lock: str, wanted: str) -> tuple[str, str]:
    """The Python version and requirements of the environment ``wanted`` in ``lock``."""
    try:
        with open(lock, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as exc:
        raise StepEnvironmentError(
            f"cannot read the lock file {lock} ({exc.strerror}); the spec names "
            f"environment {wanted}, which must travel with the flow (code package or image)"
        ) from None
    except ValueError as exc:
        raise StepEnvironmentError(f"the lock file {lock} is not JSON ({exc})") from None
    entries = document.get("environments") if isinstance(document, dict) else None
    for entry in (entries or {}).values():
        python, requirements = str(entry.get("python")), str(entry.get("requirements"))
        if address(python, requirements) == wanted:
            return python, requirements
    raise StepEnvironmentError(
        f"the lock file {lock} holds no environment {wanted}: it changed after the spec "
        "was compiled (compile again, or deploy the lock the spec was compiled with)"
    )


# -- where environments live -------------------------------------------------------------


def cache_root() -> str:
    """The writable cache of built environments (see the module docstring)."""
    explicit = os.environ.get("FLOWC_ENV_CACHE")
    if explicit:
        return explicit
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    root = os.path.join(cache, "flowc", "envs")
    try:
        os.makedirs(root, exist_ok=True)
        if os.access(root, os.W_OK):
            return root
    except OSError:
        pass
    user = os.getuid() if hasattr(os, "getuid") else "user"
    return os.path.join(tempfile.gettempdir(), f"flowc-envs-{user}")


def search_path() -> list[str]:
    """Where a built environment is looked for: ``$FLOWC_ENV_PATH``, then the cache."""
    baked = [d for d in os.environ.get("FLOWC_ENV_PATH", "").split(os.pathsep) if d]
    return [*baked, cache_root()]


def is_ready(path: str, wanted: str) -> bool:
    try:
        with open(os.path.join(path, READY), encoding="utf-8") as handle:
            return handle.read().strip() == wanted
    except OSError:
        return False


def find(wanted: str) -> str | None:
    """The directory of a complete environment ``wanted``, if one exists."""
    for root in search_path():
        path = os.path.join(root, wanted)
        if is_ready(path, wanted):
            return path
    return None


def env_python(path: str) -> str:
    return os.path.join(path, "bin", "python")


# -- building ----------------------------------------------------------------------------


def ensure(
    python: str,
    requirements: str,
    root: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> str:
    """The directory of the environment of ``requirements``, built first if no complete
    copy is found (in the search path, or in ``root`` when given)."""
    wanted = address(python, requirements)
    if root is None:
        found = find(wanted)
        if found is not None:
            return found
        root = cache_root()
    final = os.path.join(root, wanted)
    if is_ready(final, wanted):
        return final
    os.makedirs(root, exist_ok=True)
    began = time.monotonic()
    installer = _installer()
    if progress:
        count = sum(1 for line in requirements.splitlines() if line and not line[0].isspace())
        progress(
            f"building environment {wanted} (python {python}, {count} locked packages, "
            f"with {installer[0]})"
        )
    build = tempfile.mkdtemp(prefix=f".build-{wanted}-", dir=root)
    try:
        if installer[0] == "uv":
            _build_with_uv(installer[1], build, python, requirements)
        else:
            _build_with_pip(build, final, python, requirements)
        with open(os.path.join(build, READY), "w", encoding="utf-8") as handle:
            handle.write(wanted)
        try:
            os.rename(build, final)
        except OSError:
            # Another builder published first (the target exists and is not empty).
            if not is_ready(final, wanted):
                raise
    finally:
        shutil.rmtree(build, ignore_errors=True)
    if progress:
        progress(f"built environment {wanted} in {time.monotonic() - began:.1f}s")
    return final


def _installer() -> tuple[str, str]:
    """``("uv", path)`` when uv is installed (PyPI's ``uv`` package of this interpreter,
    else ``uv`` on PATH) and ``$FLOWC_ENV_INSTALLER`` does not ask for pip; else
    ``("pip", "")``."""
    if os.environ.get("FLOWC_ENV_INSTALLER", "uv") != "pip":
        try:
            from uv import find_uv_bin

            return "uv", str(find_uv_bin())
        except (ImportError, FileNotFoundError):
            found = shutil.which("uv")
            if found is not None:
                return "uv", found
    return "pip", ""


def _interpreter(python: str) -> str:
    """An interpreter of Python ``python`` (``X.Y``) on this machine."""
    if python == f"{sys.version_info.major}.{sys.version_info.minor}":
        return sys.executable
    found = shutil.which(f"python{python}")
    if found is None:
        raise StepEnvironmentError(
            f"the environment needs Python {python}, and this machine has no python{python} "
            f"(the task runs Python {sys.version_info.major}.{sys.version_info.minor})"
        )
    return found


def _build_with_uv(uv: str, path: str, python: str, requirements: str) -> None:
    mine = f"{sys.version_info.major}.{sys.version_info.minor}"
    interpreter = sys.executable if python == mine else python
    _run([uv, "venv", "--quiet", "--relocatable", "--python", interpreter, path])
    locked_file = _write_requirements(path, requirements)
    _run(
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
            locked_file,
        ]
    )
    _write_shim_pth(path)


def _build_with_pip(path: str, final: str, python: str, requirements: str) -> None:
    _run([_interpreter(python), "-m", "venv", path])
    locked_file = _write_requirements(path, requirements)
    _run(
        [
            env_python(path),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-input",
            "--disable-pip-version-check",
            "--require-hashes",
            "--no-deps",
            "-r",
            locked_file,
        ]
    )
    _write_shim_pth(path)
    _repoint_scripts(path, final)


def _repoint_scripts(build: str, final: str) -> None:
    """venv's scripts name their interpreter by the build directory; after the rename
    they must name the final one."""
    bin_dir = os.path.join(build, "bin")
    old, new = f"#!{build}/".encode(), f"#!{final}/".encode()
    for name in os.listdir(bin_dir):
        script = os.path.join(bin_dir, name)
        if os.path.islink(script) or not os.path.isfile(script):
            continue
        with open(script, "rb") as handle:
            content = handle.read()
        if content.startswith(old):
            with open(script, "wb") as handle:
                handle.write(new + content[len(old) :])


def _write_requirements(path: str, requirements: str) -> str:
    locked_file = os.path.join(path, REQUIREMENTS)
    with open(locked_file, "w", encoding="utf-8") as handle:
        handle.write(requirements)
    return locked_file


def _write_shim_pth(path: str) -> None:
    with open(os.path.join(site_packages(path), "flowc-shim.pth"), "w") as handle:
        handle.write(_SHIM_PTH)


def site_packages(path: str) -> str:
    lib = os.path.join(path, "lib")
    (python_dir,) = [d for d in os.listdir(lib) if d.startswith("python")]
    return os.path.join(lib, python_dir, "site-packages")


def _run(command: list[str]) -> None:
    # A VIRTUAL_ENV or UV_PYTHON of the caller would make uv act on the caller's environment.
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PYTHON")}
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    except OSError as exc:
        raise StepEnvironmentError(f"cannot run {command[0]}: {exc}") from None
    if done.returncode != 0:
        message = (done.stderr.strip() or done.stdout.strip())[-4000:]
        raise StepEnvironmentError(message or f"{command[0]} exited with {done.returncode}")


# -- the runtime's site directory ---------------------------------------------------------


def shim_site(root: str | None = None) -> str:
    """A directory of links to this installation's flowc runtime and the distributions
    it imports in a task (``FLOWC_SHIM_PATH`` names it for an environment). Kept under
    ``root`` (the cache) by a key of this installation — its interpreter, its runtime's
    paths and the state of its site-packages, which changes whenever a distribution is
    installed or removed — and made atomically."""
    import sysconfig

    root = root or cache_root()
    sources = _runtime_sources()
    libraries = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    state = [(d, os.stat(d).st_mtime_ns) for d in libraries if os.path.isdir(d)]
    key = hashlib.sha256(
        json.dumps([sys.version, sys.prefix, sources, state], sort_keys=True).encode()
    ).hexdigest()[:16]
    final = os.path.join(root, f".shim-{key}")
    if os.path.isfile(os.path.join(final, READY)):
        return final
    os.makedirs(root, exist_ok=True)
    build = tempfile.mkdtemp(prefix=f".build-shim-{key}-", dir=root)
    try:
        for source in [*sources, *_task_dependency_sources()]:
            link = os.path.join(build, os.path.basename(source))
            if not os.path.lexists(link):
                os.symlink(source, link)
        if any(os.path.basename(s) == "_flowc_metaflow.py" for s in sources):
            with open(os.path.join(build, "flowc-metaflow.pth"), "w") as handle:
                handle.write("import _flowc_metaflow\n")
        with open(os.path.join(build, READY), "w") as handle:
            handle.write(key)
        try:
            os.rename(build, final)
        except OSError:
            if not os.path.isfile(os.path.join(final, READY)):
                raise
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return final


def _runtime_sources() -> list[str]:
    """The files and package directories of flowc's runtime in this installation."""
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    sources = [here]
    for name in ("flowc", "backends", "_flowc_metaflow"):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = os.path.abspath(spec.origin)
        is_package = spec.submodule_search_locations is not None
        sources.append(os.path.dirname(origin) if is_package else origin)
    return sources


def _task_dependency_sources() -> list[str]:
    """The top-level modules and packages of :data:`TASK_DISTRIBUTIONS` and everything
    they require, as installed for this interpreter (those that are installed)."""
    import importlib.metadata as metadata
    import re

    found: list[str] = []
    seen: set[str] = set()
    todo = list(TASK_DISTRIBUTIONS)
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        seen.add(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for requirement in dist.requires or []:
            if "extra ==" not in requirement:
                match = re.match(r"[A-Za-z0-9._-]+", requirement)
                if match:
                    todo.append(match.group(0))
        tops = {
            str(f).split("/", 1)[0]
            for f in dist.files or []
            if not str(f).startswith("..") and ("/" in str(f) or str(f).endswith(".py"))
        }
        for top in sorted(tops):
            if top.endswith((".dist-info", ".egg-info", ".pth")) or top == "__pycache__":
                continue
            path = os.path.abspath(str(dist.locate_file(top)))
            if os.path.exists(path):
                found.append(path)
    return found


# -- entering the environment of a task -------------------------------------------------


def active(wanted: str) -> bool:
    """Whether this interpreter runs in the environment ``wanted``."""
    return is_ready(sys.prefix, wanted)


def enter(wanted: str, flow_file: str, argv: list[str]) -> None:
    """Run ``python -m runtime_shim ARGV`` in the environment ``wanted`` in place of this
    process (``exec``), building the environment first from the lock beside
    ``flow_file`` when no complete copy exists. Returns only when this interpreter is
    already that environment's."""
    if active(wanted):
        return
    if os.environ.get(_ENTERED) == wanted:
        # exec'd into the environment, yet this interpreter is not its: never loop.
        raise StepEnvironmentError(
            f"the interpreter {sys.executable} (prefix {sys.prefix}) does not run in "
            f"environment {wanted} although it was started as its interpreter"
        )
    path = find(wanted)
    if path is None:
        python, requirements = locked(lock_path(flow_file), wanted)
        path = ensure(python, requirements, progress=_progress)
    site = shim_site()
    environ = dict(os.environ)
    environ[SHIM_PATH_VARIABLE] = site
    environ[_ENTERED] = wanted
    environ.pop("PYTHONHOME", None)
    python = env_python(path)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(python, [python, "-m", "runtime_shim", *argv], environ)


def _progress(line: str) -> None:
    print(f"flowc task: {line}", file=sys.stderr, flush=True)
