"""Record what Metaflow computes for each test flow, as the expectations flowc must match.

Run with a Python that has Metaflow 2.19 (never the project's .venv):

    python3 -m venv /tmp/mfvenv && /tmp/mfvenv/bin/pip install 'metaflow==2.19.*'
    /tmp/mfvenv/bin/python tests/runtime/record_expected.py            # every case
    /tmp/mfvenv/bin/python tests/runtime/record_expected.py linear     # some cases

For every case it copies the flow to a scratch directory (``from flowc import`` becomes
``from metaflow import``), runs ``python flow.py run`` with a local Metaflow datastore,
reads every task's artifacts back with Metaflow's client and writes
``tests/runtime/expected/<case>.json`` with the exact command used. Tasks are keyed by
flowc's task key (index path from the foreach stack, "_" at top level, "@K" for the K-th
iteration of a recursive step), so the files compare directly with flowc's datastore.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)

from tests.support.runtime_cases import CASES, normalize  # noqa: E402


def _metaflow_env(home: str) -> dict[str, str]:
    return dict(
        os.environ,
        METAFLOW_HOME=home,
        METAFLOW_DEFAULT_DATASTORE="local",
        METAFLOW_DEFAULT_METADATA="local",
        METAFLOW_DATASTORE_SYSROOT_LOCAL=home,
        USERNAME="flowc-tests",
        METAFLOW_USER="flowc-tests",
    )


def record(name: str, case: dict[str, Any], home: str) -> dict[str, Any]:
    scratch = tempfile.mkdtemp(prefix=f"mf-{name}-")
    try:
        source_path = os.path.join(ROOT, case["file"])
        with open(source_path, encoding="utf-8") as handle:
            source = handle.read().replace("from flowc import", "from metaflow import")
        flow_file = os.path.join(scratch, os.path.basename(source_path))
        with open(flow_file, "w", encoding="utf-8") as handle:
            handle.write(source)
        for extra in case.get("files", []):
            shutil.copy(os.path.join(ROOT, extra), scratch)
        args = [
            sys.executable,
            os.path.basename(flow_file),
            "--no-pylint",
            "run",
            *case.get("metaflow_args", []),
        ]
        env = _metaflow_env(home)
        proc = subprocess.run(
            args, cwd=scratch, env=env, capture_output=True, text=True, check=False
        )
        expect_failure = case.get("expect_failure", False)
        if (proc.returncode != 0) != expect_failure:
            raise RuntimeError(f"{name}: metaflow exited {proc.returncode}\n{proc.stderr}")
        from metaflow import Flow, namespace

        namespace(None)
        run = Flow(case["flow"]).latest_run
        tasks: dict[str, dict[str, Any]] = {}
        for step in run:
            per_key: dict[str, list[tuple[int, dict[str, Any]]]] = {}
            for task in step:
                if not task.finished:
                    continue
                stack = task["_foreach_stack"].data if "_foreach_stack" in task else []
                path = ".".join(str(frame.index) for frame in stack)
                values = {
                    a.id: normalize(a.data)
                    for a in task
                    if not a.id.startswith("_") and a.id != "name"
                }
                per_key.setdefault(path, []).append((int(task.id), values))
            keys: dict[str, Any] = {}
            for path, found in per_key.items():
                for k, (_tid, values) in enumerate(sorted(found, key=lambda x: x[0])):
                    key = (path or "_") + (f"@{k}" if k else "")
                    keys[key] = values
            if keys:
                tasks[step.id] = dict(sorted(keys.items()))
        return {
            "case": name,
            "flow": case["flow"],
            "file": case["file"],
            "metaflow_version": __import__("metaflow").__version__,
            "command": " ".join(
                [
                    "python",
                    os.path.basename(flow_file),
                    "--no-pylint",
                    "run",
                    *case.get("metaflow_args", []),
                ]
            ),
            "recorded_by": "tests/runtime/record_expected.py",
            "successful": run.successful,
            "tasks": dict(sorted(tasks.items())),
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str]) -> int:
    names = argv or sorted(CASES)
    out_dir = os.path.join(HERE, "expected")
    os.makedirs(out_dir, exist_ok=True)
    home = tempfile.mkdtemp(prefix="mf-home-")
    os.environ.update(_metaflow_env(home))  # before Metaflow is imported: it reads them once
    for name in names:
        result = record(name, CASES[name], home)
        with open(os.path.join(out_dir, f"{name}.json"), "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=1, sort_keys=True)
            handle.write("\n")
        print(f"recorded {name}: {sum(len(v) for v in result['tasks'].values())} tasks")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
