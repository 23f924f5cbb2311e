"""A callback task delivered twice runs once.

SQS delivers each message at least once, and moto's ReceiveMessage can hand the same
message to two concurrent receivers, so the worker pool claims each task token once. A
relay delivers every message of the machine's queue twice to the queue the pool serves;
the execution must still succeed with each step run exactly once.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from tests.support.runs import artifacts, local_store, run_local
from tests.support.sfn import definition, load_ir, s3_store, shape_path
from tests.support.sfn_harness import MotoServer, WorkerPool, execute

BUCKET = "flowc-sfn-redelivery"


def _relay(server: MotoServer, source: str, target: str, stop: threading.Event) -> None:
    sqs = server.client("sqs")
    while not stop.is_set():
        reply = sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=1, WaitTimeSeconds=1)
        for message in reply.get("Messages", []):
            sqs.delete_message(QueueUrl=source, ReceiptHandle=message["ReceiptHandle"])
            for _ in range(2):
                sqs.send_message(QueueUrl=target, MessageBody=message["Body"])


def test_every_task_delivered_twice_runs_once(moto_server: MotoServer, tmp_path: Path) -> None:
    path = shape_path("foreach")
    flow = load_ir(path).name
    code, local_run = run_local(path, str(tmp_path / "local"))
    assert code == 0
    s3, sqs = moto_server.client("s3"), moto_server.client("sqs")
    s3.create_bucket(Bucket=BUCKET)
    machine_queue = sqs.create_queue(QueueName="flowc-redelivery-in")["QueueUrl"]
    pool_queue = sqs.create_queue(QueueName="flowc-redelivery-out")["QueueUrl"]
    text = definition(
        path,
        datastore_root=f"s3://{BUCKET}/data",
        extra={"compute": "callback", "queue_url": machine_queue},
    )
    stop = threading.Event()
    relay = threading.Thread(target=_relay, args=(moto_server, machine_queue, pool_queue, stop))
    relay.start()
    try:
        with WorkerPool(moto_server, pool_queue, size=4) as pool:
            result = execute(moto_server, text, "redelivery", "redelivery-run")
            # The second copy of the last task's message may still be on its way.
            deadline = time.monotonic() + 10
            while pool.redelivered < len(pool.runs) and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        stop.set()
        relay.join()
    assert result.status == "SUCCEEDED", result.cause
    tasks = [
        (r.step, r.argv[r.argv.index("--index-path") + 1] if "--index-path" in r.argv else "")
        for r in pool.runs
    ]
    assert len(tasks) == len(set(tasks)), tasks
    assert pool.redelivered == len(pool.runs)
    expected = artifacts(local_store(str(tmp_path / "local")), flow, local_run)
    assert artifacts(s3_store(s3, BUCKET, "data"), flow, "redelivery-run") == expected
