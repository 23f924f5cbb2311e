"""A Step Functions execution reads the IncludeFile contents captured at compile time.

The flow is packaged (``flowc package``, without its data directory) and compiled with
``--code-package`` against an S3 datastore on the session's moto server; then its source
directory is deleted, so the workers (the real shim, running the tasks from the code
package) can find the data only where the compile stored it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.runs import artifacts
from tests.support.sfn import s3_store
from tests.support.sfn_harness import MotoServer, WorkerPool, execute

FLOWC = os.path.join(os.path.dirname(sys.executable), "flowc")
BUCKET = "flowc-sfn-includes"

FLOW = """\
from metaflow import Config, FlowSpec, IncludeFile, step


class ShippedDataFlow(FlowSpec):
    rows = IncludeFile("rows", default="data/rows.txt")
    settings = Config("settings", default="settings.json")

    @step
    def start(self):
        self.lines = self.rows.splitlines()
        self.region = self.settings.region
        self.next(self.end)

    @step
    def end(self):
        self.count = len(self.lines)
"""


def _flowc(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [FLOWC, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_an_execution_reads_the_captured_contents_from_s3(
    moto_server: MotoServer, tmp_path: Path
) -> None:
    s3, sqs = moto_server.client("s3"), moto_server.client("sqs")
    s3.create_bucket(Bucket=BUCKET)
    queue = sqs.create_queue(QueueName="flowc-includes")["QueueUrl"]
    root = f"s3://{BUCKET}/shipped"
    src = tmp_path / "src"
    (src / "data").mkdir(parents=True)
    (src / "shippeddataflow.py").write_text(FLOW)
    (src / "data" / "rows.txt").write_text("north\nsouth\neast\n")
    (src / "settings.json").write_text('{"region": "ap-south-1"}')
    env = dict(moto_server.task_env(), FLOWC_CODE_PACKAGE_DIR=str(tmp_path / "packages"))
    # The code package (what a plain image runs) leaves the data out.
    package = _flowc(
        src, env, "package", "shippeddataflow.py", "--datastore", root, "--exclude", "data"
    )
    _flowc(
        src,
        env,
        *("compile", "shippeddataflow.py", "--target", "stepfunctions", "-o", "out"),
        *("--datastore", root, "--code-package", package),
        *("--option", "compute=callback", "--option", f"queue_url={queue}"),
    )
    (definition,) = (src / "out").glob("*.json")
    text = definition.read_text()
    captured = hashlib.sha256(b"north\nsouth\neast\n").hexdigest()
    assert f"ShippedDataFlow/includes/{captured}" in text
    shutil.rmtree(src)

    with WorkerPool(moto_server, queue, size=2) as pool:
        result = execute(moto_server, text, "shipped-data", "sfn-shipped")
    failed = [r.stderr[-2000:] for r in pool.runs if r.returncode]
    assert result.status == "SUCCEEDED", (result.error, result.cause, failed)
    found = artifacts(s3_store(s3, BUCKET, "shipped"), "ShippedDataFlow", "sfn-shipped")
    assert found["start/_"]["lines"] == ["north", "south", "east"]
    assert found["start/_"]["region"] == "ap-south-1"
    assert found["end/_"]["count"] == 3
    assert json.loads(json.dumps(found["start/_"]["rows"])) == "north\nsouth\neast\n"
