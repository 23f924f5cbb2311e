"""@pypi on Step Functions: moto's ASL interpreter runs the machine, callback workers run
each task's command, which bootstraps its step's locked environment before the step. The
datastore is S3 (the moto server), so the environment's interpreter also reaches boto3
through the runtime's links, while the steps' packages stay apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends.base import TargetOptions, get_backend
from tests.support import step_envs
from tests.support.runs import artifacts
from tests.support.sfn import s3_store
from tests.support.sfn_harness import MotoServer, WorkerPool, execute

pytestmark = pytest.mark.network
BUCKET = "flowc-sfn-envs"


def test_each_task_runs_its_step_in_its_locked_environment(
    moto_server: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = step_envs.locked_flow(tmp_path / "flow")
    ir = step_envs.load(flow)
    s3, sqs = moto_server.client("s3"), moto_server.client("sqs")
    s3.create_bucket(Bucket=BUCKET)
    queue = sqs.create_queue(QueueName="flowc-envs")["QueueUrl"]
    options = TargetOptions(
        datastore_root=f"s3://{BUCKET}/envs",
        environments=step_envs.addresses(ir, flow),
        extra={"compute": "callback", "queue_url": queue, "flow_file": str(flow)},
    )
    result = get_backend("stepfunctions").emit(ir, options)
    (machine,) = [f.content for f in result.files if f.path.endswith(".asl.json")]
    assert machine.count("--environment") == 2
    cache = tmp_path / "worker-cache"
    monkeypatch.setenv("FLOWC_ENV_CACHE", str(cache))  # the workers' tasks inherit it
    with WorkerPool(moto_server, queue, size=2) as pool:
        run = execute(moto_server, machine, "step-envs", "sfn-step-envs")
    failures = "\n".join(r.stderr[-3000:] for r in pool.runs if r.returncode)
    assert run.status == "SUCCEEDED", f"{run.error} {run.cause}\n{failures}"
    got = artifacts(s3_store(s3, BUCKET, "envs"), step_envs.FLOW, "sfn-step-envs")
    for step, seen in step_envs.EXPECTED.items():
        assert got[f"{step}/_"]["seen"] == seen, step
    for step, values in step_envs.ARTIFACTS.items():
        for name, value in values.items():
            assert got[f"{step}/_"][name] == value
    assert step_envs.built(cache) == sorted(options.environments.values())
    built_by = {r.step for r in pool.runs if "building environment" in r.stderr}
    assert built_by == {"start", "middle"}
