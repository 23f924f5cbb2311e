"""Metaflow's own compile of a flow file for each of flowc's targets, without a cluster.

``scale_compile.py`` times these beside ``flowc compile``. What each target's command is,
and what Metaflow needs to run it offline:

* ``argo-workflows create --only-json`` and ``airflow create OUT.py`` import the
  ``kubernetes`` client and read ``METAFLOW_KUBERNETES_NAMESPACE`` and
  ``METAFLOW_KUBERNETES_CONTAINER_IMAGE``;
* ``step-functions create --only-json`` asks AWS Batch for ``METAFLOW_BATCH_JOB_QUEUE``
  and needs the IAM roles (``METAFLOW_SFN_IAM_ROLE``, ``METAFLOW_ECS_S3_ACCESS_IAM_ROLE``,
  ...) and ``METAFLOW_SFN_DYNAMO_DB_TABLE``;
* all three package the flow's code and upload it to the S3 datastore
  (``METAFLOW_DEFAULT_DATASTORE=s3``, ``METAFLOW_DATASTORE_SYSROOT_S3``), so the figures
  include Metaflow's real upload.

A moto server from this venv stands in for S3, IAM and Batch (``sfn_compile.AwsStandIn``),
and the environment is the union of what ``argo_compile`` and ``sfn_compile`` set, so the
three benchmarks run Metaflow alike.
"""

from __future__ import annotations

import contextlib
import io
import os
import pstats
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent


def command(target: str, flow: Path, out: Path) -> list[str]:
    """Metaflow's arguments (after the interpreter) compiling ``flow`` for ``target``."""
    verbs = {
        "argo": ["argo-workflows", "create", "--only-json"],
        "stepfunctions": ["step-functions", "create", "--only-json"],
        "airflow": ["airflow", "create", str(out / f"{flow.stem}_dag.py")],
    }
    return [str(flow), "--no-pylint", *verbs[target]]


@contextlib.contextmanager
def offline_env(home: Path) -> Iterator[dict[str, str]]:
    """The environment Metaflow's compiles run in, with the moto server behind it."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))  # the sibling benchmarks import ``_timing`` bare
    import argo_compile
    import sfn_compile

    with sfn_compile.AwsStandIn(sys.executable) as stand_in:
        home.mkdir(parents=True, exist_ok=True)
        yield {
            **argo_compile.metaflow_env(stand_in.url, home),
            **sfn_compile.metaflow_env(stand_in, home),
        }


def output_size(target: str, flow: Path, out: Path, stdout: str) -> int:
    """Bytes of what Metaflow produced: the JSON it printed, or the DAG file it wrote."""
    if target == "airflow":
        return (out / f"{flow.stem}_dag.py").stat().st_size
    return len(stdout[max(stdout.find("{"), 0) :].encode())


def profile(python: str, argv: list[str], env: dict[str, str], cwd: Path, top: int) -> str:
    """One run of Metaflow's compile under cProfile: the top functions by own time and by
    cumulative time, site-packages paths shortened."""
    dump = cwd / "metaflow.prof"
    subprocess.run(
        [python, "-m", "cProfile", "-o", str(dump), *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        check=True,
    )
    parts = []
    for key in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(str(dump), stream=text).sort_stats(key).print_stats(top)
        lines = [line for line in text.getvalue().splitlines() if line.strip()]
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        parts.append(f"sorted by {key}:\n" + "\n".join(_short(x) for x in lines[start:]))
    os.remove(dump)
    return "\n\n".join(parts)


def _short(line: str) -> str:
    site = "site-packages/"
    at = line.find(site)
    if at < 0:
        return line
    return line[: line.rfind(" ", 0, at) + 1] + line[at + len(site) :]
