"""The fork server runs the shim's own ``main`` in a child per task, with the request's
extra environment, and refuses a malformed command line."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

from flowc.runner.forkserver import ForkServer
from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.layout import FlowDatastore

FLOW = """from flowc import FlowSpec, step


class EnvFlow(FlowSpec):
    @step
    def start(self):
        import os

        self.seen = os.environ.get("FLOWC_TEST_VALUE")
        self.next(self.end)

    @step
    def end(self):
        pass
"""


def test_request_env_reaches_the_task_only(workdir: str) -> None:
    flow_file = os.path.join(workdir, "env_flow.py")
    with open(flow_file, "w", encoding="utf-8") as handle:
        handle.write(FLOW)
    datastore = os.path.join(workdir, "ds")
    results: dict[str, tuple[int, str]] = {}
    finished = threading.Semaphore(0)

    def done(tag: Any, code: int, output: str) -> None:
        results[tag] = (code, output)
        finished.release()

    env = {k: v for k, v in os.environ.items() if k != "FLOWC_TEST_VALUE"}
    server = ForkServer(sys.executable, flow_file, "EnvFlow", env, workdir, workdir, done)
    try:
        for run, extra in (("with", {"FLOWC_TEST_VALUE": "ünïcode $(x) {{y}}"}), ("without", None)):
            argv = ["step", flow_file, "--flow", "EnvFlow", "--step", "start", "--inputs"]
            argv += ["none", "--run-id", run, "--index-path", "", "--attempt", "0"]
            server.submit([*argv, "--datastore", datastore], run, extra)
            assert finished.acquire(timeout=60)
    finally:
        server.close()
    assert results["with"][0] == 0 and results["without"][0] == 0, results
    ds = FlowDatastore(open_object_store(datastore), "EnvFlow")
    for run, expected in (("with", "ünïcode $(x) {{y}}"), ("without", None)):
        record = ds.committed(run, "start", "_")
        assert record is not None
        refs = ds.artifacts(run, "start", "_", record)
        assert ds.load_value(refs["seen"]) == expected


def test_malformed_command_line_is_refused() -> None:
    for args in ([], ["--flow", "X"], ["f.py", "--flow"], ["f.py", "--bogus", "1"]):
        done = subprocess.run(
            [sys.executable, "-m", "runtime_shim.forkserver", *args],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        assert done.returncode == 2 and "usage:" in done.stderr, args


PRELOAD_PROBE = """
import json, os, sys
from runtime_shim.forkserver import preload
from runtime_shim.supervisor import supervise_externally
flow_file, datastore, spool = sys.argv[1:4]
preload(flow_file, "EnvFlow")
from runtime_shim.__main__ import main
supervise_externally(spool)
def argv(step, inputs):
    return ["step", flow_file, "--flow", "EnvFlow", "--step", step, "--inputs", inputs,
            "--run-id", "r", "--index-path", "", "--attempt", "0", "--datastore", datastore]
pid = os.fork()
if pid == 0:  # the start task, in a child of its own as under the server
    os._exit(main(argv("start", "none")))
codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])]
before = set(sys.modules)
codes.append(main(argv("end", "same:start")))
print(json.dumps({"codes": codes, "new": sorted(set(sys.modules) - before)}))
"""


def test_a_task_forked_from_the_server_imports_nothing(workdir: str) -> None:
    """Whatever a task after the start imports, the server has imported before forking
    (a module left to the children costs every task of a wide foreach its import)."""
    import json

    flow_file = os.path.join(workdir, "env_flow.py")
    with open(flow_file, "w", encoding="utf-8") as handle:
        handle.write(FLOW)
    probe = [sys.executable, "-c", PRELOAD_PROBE, flow_file, os.path.join(workdir, "ds")]
    done = subprocess.run(
        [*probe, os.path.join(workdir, "spool.")],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, FLOWC_TASK_ECHO="0"),
    )
    result = json.loads(done.stdout.splitlines()[-1])
    assert result == {"codes": [0, 0], "new": []}


def test_what_a_flow_prints_while_the_server_imports_it_is_not_a_reply(workdir: str) -> None:
    """The server imports the flow with its stdout still the reply pipe: a line the
    flow prints there is skipped, and the task still runs and reports."""
    flow_file = os.path.join(workdir, "loud_flow.py")
    with open(flow_file, "w", encoding="utf-8") as handle:
        handle.write('print("importing the flow: 1 2 3")\n' + FLOW)
    results: dict[str, tuple[int, str]] = {}
    finished = threading.Semaphore(0)

    def done(tag: Any, code: int, output: str) -> None:
        results[tag] = (code, output)
        finished.release()

    server = ForkServer(
        sys.executable, flow_file, "EnvFlow", dict(os.environ), workdir, workdir, done
    )
    try:
        argv = ["step", flow_file, "--flow", "EnvFlow", "--step", "start", "--inputs", "none"]
        argv += ["--run-id", "r", "--index-path", "", "--attempt", "0"]
        server.submit([*argv, "--datastore", os.path.join(workdir, "ds")], "start")
        assert finished.acquire(timeout=60)
    finally:
        server.close()
    assert results["start"][0] == 0, results
