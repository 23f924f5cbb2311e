"""Run emitted state machines in moto's ASL interpreter, answering callback tasks.

- :class:`MotoServer`: a moto server on 127.0.0.1 (started through ``moto_launcher``),
  with state machine execution switched on. The shim subprocesses and the interpreter's
  own ``aws-sdk:s3`` calls reach the same S3.
- :class:`WorkerPool`: threads that poll the SQS queue of the ``callback`` binding, run
  each message's shim command as a subprocess (argv list, no shell) against the S3
  datastore on the server, and answer ``SendTaskSuccess``/``SendTaskFailure``. With
  ``warm=True`` the commands run in children of ``runtime_shim.forkserver`` instead (the
  same argv through the same ``main``, with the S3 client built once before forking), as
  a worker serving many tasks would: for fan-outs of a thousand tasks and more, where a
  fresh interpreter importing botocore per task would dominate the test.
  SQS delivers a message at least once, and moto's ReceiveMessage is not atomic across the
  server's threads (two concurrent receives can both take the same visible message), so
  the pool claims each task token once and counts a second delivery in ``redelivered``
  instead of running the task again, as any callback worker must.
- :func:`execute`: create the machine, start an execution, wait for its end.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
HERE = REPO / "tests" / "stepfunctions"
REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/flowc-test"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class MotoServer:
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_dir: Path) -> MotoServer:
        self.port = _free_port()
        env = dict(os.environ, MOTO_PORT=str(self.port), **CREDENTIALS)
        self.log_path = log_dir / "moto.log"
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "moto_launcher.py"),
                "-H",
                "127.0.0.1",
                "-p",
                str(self.port),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1).close()
                break
            except OSError as exc:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start; see {self.log_path}") from exc
                time.sleep(0.1)
        body = json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode()
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/config", data=body, method="POST"
        )
        urllib.request.urlopen(request, timeout=10).close()
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def task_env(self) -> dict[str, str]:
        """Environment of a shim subprocess: the S3 datastore is on this server."""
        return dict(os.environ, FLOWC_S3_ENDPOINT_URL=self.endpoint, **CREDENTIALS)


@dataclass
class TaskRun:
    step: str
    argv: list[str]
    returncode: int
    stderr: str

    def arg(self, flag: str) -> str:
        return self.argv[self.argv.index(flag) + 1]


@dataclass
class WorkerPool:
    """Answers the callback tasks of one queue until stopped."""

    server: MotoServer
    queue_url: str
    size: int = 4
    warm: bool = False
    runs: list[TaskRun] = field(default_factory=list)
    redelivered: int = 0  # deliveries of a task token already claimed, not run again
    _claimed: set[str] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: Any = None  # the warm fork server, started by the first task
    _scratch: str = ""

    def __enter__(self) -> WorkerPool:
        for i in range(self.size):
            thread = threading.Thread(target=self._work, name=f"sfn-worker-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        if self._server is not None:
            self._server.close()
            shutil.rmtree(self._scratch, ignore_errors=True)

    def _run_warm(self, argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        """``python -m runtime_shim ARGV`` as a fork of the pool's warm server."""
        from flowc.runner.forkserver import ForkServer

        with self._lock:
            if self._server is None:
                # Command: [python, -m, runtime_shim, step, FLOW_FILE, --flow, CLASS, ...]
                datastore = argv[argv.index("--datastore") + 1]
                self._scratch = tempfile.mkdtemp(prefix="sfn-warm-")
                self._server = ForkServer(
                    sys.executable,
                    argv[4],
                    argv[argv.index("--flow") + 1],
                    self.server.task_env(),
                    self._scratch,
                    str(REPO),
                    self._finished,
                    datastore=datastore,
                )
        done = threading.Event()
        outcome: dict[str, Any] = {"event": done}
        self._server.submit(argv[3:], outcome, env)
        done.wait()
        return int(outcome["code"]), str(outcome["output"])

    @staticmethod
    def _finished(outcome: dict[str, Any], code: int, output: str) -> None:
        outcome["code"], outcome["output"] = code, output
        outcome["event"].set()

    def _work(self) -> None:
        sqs, sfn = self.server.client("sqs"), self.server.client("stepfunctions")
        while not self._stop.is_set():
            reply = sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=1
            )
            for message in reply.get("Messages", []):
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
                body = json.loads(message["Body"])
                if self._claim(body["TaskToken"]):
                    self._answer(sfn, body)

    def _claim(self, token: str) -> bool:
        """True for the first delivery of a task token; later ones are only counted."""
        with self._lock:
            if token in self._claimed:
                self.redelivered += 1
                return False
            self._claimed.add(token)
            return True

    def _answer(self, sfn: Any, body: dict[str, Any]) -> None:
        argv = list(body["Command"])
        extra = {e["Name"]: e["Value"] for e in body.get("Environment", [])}
        if self.warm:
            returncode, stderr = self._run_warm(argv, extra)
        else:
            command = [sys.executable, *argv[1:]]  # the image's python is this interpreter
            env = self.server.task_env()
            env.update(extra)
            proc = subprocess.run(
                command, cwd=REPO, env=env, capture_output=True, text=True, check=False
            )
            returncode, stderr = proc.returncode, proc.stderr
        with self._lock:
            self.runs.append(TaskRun(body["Step"], argv, returncode, stderr))
        if returncode == 0:
            sfn.send_task_success(taskToken=body["TaskToken"], output=json.dumps({"returncode": 0}))
        else:
            sfn.send_task_failure(
                taskToken=body["TaskToken"], error="flowc.TaskFailed", cause=stderr[-4000:]
            )

    def runs_of(self, step: str) -> list[TaskRun]:
        with self._lock:
            return [r for r in self.runs if r.step == step]


@dataclass
class Execution:
    status: str
    output: Any
    error: str | None
    cause: str | None
    history: list[dict[str, Any]]


def execute(
    server: MotoServer,
    definition: str,
    name: str,
    run_id: str,
    execution_input: dict[str, Any] | None = None,
    timeout: float = 240,
) -> Execution:
    """Create the state machine and run one execution named ``run_id`` to its end."""
    sfn = server.client("stepfunctions")
    arn = sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE)[
        "stateMachineArn"
    ]
    run = sfn.start_execution(
        stateMachineArn=arn, name=run_id, input=json.dumps(execution_input or {})
    )["executionArn"]
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=run)
        if described["status"] != "RUNNING":
            break
        if time.monotonic() > deadline:
            sfn.stop_execution(executionArn=run)
            raise TimeoutError(f"execution {run_id} still running after {timeout} s")
        time.sleep(0.2)
    history = sfn.get_execution_history(executionArn=run, maxResults=1000)["events"]
    output = described.get("output")
    return Execution(
        described["status"],
        json.loads(output) if output else None,
        described.get("error"),
        described.get("cause"),
        history,
    )
