"""S3-specific behaviour, on the in-process moto server (fast; no credentials enforced)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import MOTO_KEYS, TEST_BUCKET, make_s3_store

from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.errors import ObjectStoreError
from runtime_shim.datastore.s3 import WRITER_METADATA, S3ObjectStore, parse_s3_url
from runtime_shim.datastore.s3_claims import CLAIMS_DIR
from runtime_shim.datastore.s3_errors import S3BucketNotFound
from runtime_shim.datastore.s3_settings import MIB, S3Settings


def test_parse_s3_url() -> None:
    assert parse_s3_url("s3://bucket") == ("bucket", "")
    assert parse_s3_url("s3://bucket/a/b/") == ("bucket", "a/b")
    with pytest.raises(ValueError):
        parse_s3_url("s3:///nobucket")
    with pytest.raises(ValueError):
        parse_s3_url("/local/path")


def test_settings_from_env() -> None:
    settings = S3Settings.from_env(
        {
            "AWS_ENDPOINT_URL": "http://generic:1",
            "AWS_ENDPOINT_URL_S3": "http://s3-specific:2",
            "FLOWC_S3_CONDITIONAL_WRITES": "OFF",
            "FLOWC_S3_PART_SIZE_MB": "1",
            "FLOWC_S3_MULTIPART_THRESHOLD_MB": "32",
            "FLOWC_S3_MAX_CONCURRENCY": "3",
        }
    )
    assert settings.endpoint_url == "http://s3-specific:2"
    assert settings.conditional_writes == "off"
    assert settings.part_size == 5 * MIB  # S3's minimum part size wins
    assert settings.multipart_threshold == 32 * MIB
    assert settings.max_concurrency == 3
    assert (
        S3Settings.from_env(
            {"FLOWC_S3_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL": "http://b"}
        ).endpoint_url
        == "http://a"
    )
    with pytest.raises(ValueError, match="FLOWC_S3_CONDITIONAL_WRITES"):
        S3Settings.from_env({"FLOWC_S3_CONDITIONAL_WRITES": "maybe"})
    with pytest.raises(ValueError, match="FLOWC_S3_MAX_ATTEMPTS"):
        S3Settings.from_env({"FLOWC_S3_MAX_ATTEMPTS": "many"})


def test_open_object_store_from_environment(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWC_S3_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "moto")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "moto")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    store = open_object_store(f"s3://{TEST_BUCKET}/env-prefix/")
    assert isinstance(store, S3ObjectStore)
    assert store.url == f"s3://{TEST_BUCKET}/env-prefix"
    store.put("k", b"v")
    assert open_object_store(f"s3://{TEST_BUCKET}").get("env-prefix/k") == b"v"


def test_import_does_not_load_boto3() -> None:
    code = (
        "import sys, runtime_shim.datastore.s3, runtime_shim.codepackage;"
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_bucket_is_a_clear_error(moto_endpoint: str) -> None:
    store = make_s3_store(moto_endpoint, MOTO_KEYS, fresh_client=True)
    store.bucket = "flowc-no-such-bucket"
    store.url = "s3://flowc-no-such-bucket"
    for action in (
        lambda: store.put("k", b"v"),
        lambda: store.get("k"),
        lambda: list(store.list("")),
        lambda: store.exists("k"),  # a bare 404 on HEAD is not taken for a missing key
    ):
        with pytest.raises(S3BucketNotFound, match=r"flowc-no-such-bucket.*does not exist"):
            action()


def test_lost_response_retry_is_recognised_as_our_own_write(moto_endpoint: str) -> None:
    """A retried conditional PUT whose first try landed gets 412; the token says it won."""
    store = make_s3_store(moto_endpoint, MOTO_KEYS)
    token_holder: dict[str, str] = {}

    def write(conditional: bool, extra: dict[str, Any]) -> None:
        token_holder["token"] = extra["Metadata"][WRITER_METADATA]
        # The first try lands (response lost), the retry is refused.
        store.client.put_object(Bucket=TEST_BUCKET, Key=store._object_key("k"), Body=b"v", **extra)
        store.client.put_object(
            Bucket=TEST_BUCKET, Key=store._object_key("k"), Body=b"v", IfNoneMatch="*", **extra
        )

    assert store._store("k", write, if_absent=True, large=False) is True
    assert store._writer_token("k") == token_holder["token"]
    assert store.put("k", b"other", if_absent=True) is False


def test_claim_election_without_conditional_writes(moto_endpoint: str) -> None:
    store = make_s3_store(
        moto_endpoint,
        MOTO_KEYS,
        fresh_client=True,
        conditional_writes="off",
        claim_settle_seconds=0.3,
    )
    assert store.uses_conditional_writes is False

    def slow_data_write(params: dict[str, Any], **_: Any) -> None:
        # A slow final write widens the window in which a second writer could slip in.
        if CLAIMS_DIR not in params.get("url_path", ""):
            time.sleep(0.3)

    store.client.meta.events.register("before-call.s3.PutObject", slow_data_write)
    winners: list[int] = []
    barrier = threading.Barrier(6)

    def commit(number: int) -> None:
        barrier.wait()
        if store.put("t/committed.json", str(number).encode(), if_absent=True):
            winners.append(number)

    threads = [threading.Thread(target=commit, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1
    assert store.get("t/committed.json") == str(winners[0]).encode()
    assert store.put("t/committed.json", b"late", if_absent=True) is False
    # Claims are bookkeeping, invisible through the store's own listings.
    assert list(store.list("")) == ["t/committed.json"]
    assert store.list_children("") == ["t"]
    assert any(
        CLAIMS_DIR in entry["Key"]
        for entry in store.client.list_objects_v2(Bucket=TEST_BUCKET, Prefix=store.prefix)[
            "Contents"
        ]
    )


def test_auto_mode_falls_back_when_the_store_lacks_conditional_writes(moto_endpoint: str) -> None:
    store = make_s3_store(moto_endpoint, MOTO_KEYS, fresh_client=True, claim_settle_seconds=0.1)

    def refuse_conditional(params: dict[str, Any], **_: Any) -> Any:
        if "If-None-Match" not in params.get("headers", {}):
            return None
        error = {"Code": "NotImplemented", "Message": "If-None-Match is not supported"}
        return SimpleNamespace(status_code=501), {
            "Error": error,
            "ResponseMetadata": {"HTTPStatusCode": 501},
        }

    store.client.meta.events.register("before-call.s3.PutObject", refuse_conditional)
    assert store.put("c.json", b"1", if_absent=True) is True
    assert store.uses_conditional_writes is False
    assert store.put("c.json", b"2", if_absent=True) is False
    assert store.get("c.json") == b"1"


def test_on_mode_does_not_fall_back(moto_endpoint: str) -> None:
    store = make_s3_store(moto_endpoint, MOTO_KEYS, fresh_client=True, conditional_writes="on")

    def refuse(params: dict[str, Any], **_: Any) -> Any:
        error = {"Code": "NotImplemented", "Message": "nope"}
        return SimpleNamespace(status_code=501), {
            "Error": error,
            "ResponseMetadata": {"HTTPStatusCode": 501},
        }

    store.client.meta.events.register("before-call.s3.PutObject", refuse)
    with pytest.raises(Exception, match="NotImplemented"):
        store.put("c.json", b"1", if_absent=True)


def test_large_conditional_create_checks_before_uploading(moto_endpoint: str) -> None:
    store = make_s3_store(moto_endpoint, MOTO_KEYS, fresh_client=True)
    data = b"z" * (11 * MIB)  # two 5 MiB parts, the last one 6 MiB
    assert store.put("big", data, if_absent=True) is True
    calls: list[str] = []
    store.client.meta.events.register(
        "before-call.s3.CreateMultipartUpload", lambda **_: calls.append("create")
    )
    assert store.put("big", b"y" * (11 * MIB), if_absent=True) is False
    assert calls == []
    assert store.get("big") == data


def test_an_object_replaced_mid_read_is_read_again_whole(moto_endpoint: str) -> None:
    """Ranged reads are pinned to the first ETag: a replacement restarts the read."""
    # A slow single stream (any stream, at this threshold) makes the read use ranges.
    store = make_s3_store(moto_endpoint, MOTO_KEYS, fresh_client=True, single_stream_mb_per_s=1e9)
    old, new = b"a" * (12 * MIB), b"b" * (12 * MIB)
    store.put("obj", old)
    replaced: list[bool] = []

    def replace_once(params: dict[str, Any], **_: Any) -> None:
        if "Range" in params.get("headers", {}) and not replaced:
            replaced.append(True)
            store.put("obj", new)

    store.client.meta.events.register("before-call.s3.GetObject", replace_once)
    data = store.get("obj")
    assert replaced == [True]
    assert data == new


def test_transient_errors_are_retried(moto_endpoint: str) -> None:
    """A 503 SlowDown is retried by the client configuration, not surfaced."""
    from botocore.awsrequest import AWSResponse

    store = make_s3_store(moto_endpoint, MOTO_KEYS, fresh_client=True)
    failures: list[str] = []

    class Raw:
        def stream(self, **_: Any) -> list[bytes]:
            return [b""]

    def slow_down(request: Any, **_: Any) -> Any:
        if len(failures) < 2:
            failures.append(request.url)
            body = b"<Error><Code>SlowDown</Code><Message>Reduce your rate</Message></Error>"
            response = AWSResponse(request.url, 503, {}, Raw())
            response._content = body
            return response
        return None

    store.client.meta.events.register("before-send.s3.PutObject", slow_down)
    assert store.put("k", b"v", if_absent=True) is True
    assert len(failures) == 2
    assert store.get("k") == b"v"


def test_plan_parts_stays_within_the_part_limit() -> None:
    from runtime_shim.datastore.s3_transfer import MAX_PARTS, plan_parts

    parts = plan_parts(10 * MIB + 1, 5 * MIB)
    assert parts == [(0, 5 * MIB), (5 * MIB, 5 * MIB + 1)]  # no 1-byte part
    assert plan_parts(5 * MIB + 7, 5 * MIB) == [(0, 5 * MIB + 7)]
    huge = plan_parts(MAX_PARTS * 5 * MIB * 3, 5 * MIB)
    assert len(huge) <= MAX_PARTS
    assert sum(length for _, length in huge) == MAX_PARTS * 5 * MIB * 3


def test_election_ignores_the_claim_of_a_writer_that_crashed_long_ago(
    moto_endpoint: str,
) -> None:
    store = make_s3_store(
        moto_endpoint,
        MOTO_KEYS,
        conditional_writes="off",
        claim_settle_seconds=0.1,
        claim_stale_seconds=1.0,
    )
    dangling = store._claims_prefix("c.json") + "0" * 32  # won, then died before writing
    store.client.put_object(Bucket=TEST_BUCKET, Key=dangling, Body=b"")
    time.sleep(2.5)
    assert store.put("c.json", b"retry", if_absent=True) is True
    assert store.get("c.json") == b"retry"


def test_election_lost_to_a_silent_winner_fails_loudly(moto_endpoint: str) -> None:
    store = make_s3_store(
        moto_endpoint,
        MOTO_KEYS,
        conditional_writes="off",
        claim_settle_seconds=0.1,
        claim_stale_seconds=1.0,
    )
    # A live claim that sorts first (same second, smallest name) and never writes.
    store.client.put_object(
        Bucket=TEST_BUCKET, Key=store._claims_prefix("c.json") + "0" * 32, Body=b""
    )
    with pytest.raises(ObjectStoreError, match="never wrote the object"):
        store.put("c.json", b"mine", if_absent=True)
    assert store.exists("c.json") is False
