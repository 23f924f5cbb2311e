"""S3 clients, made once per process, and ``s3://`` URLs.

Creating a botocore client costs about half a second, so every store of one process
with the same settings and credentials shares one; botocore is imported only when the
first client is made, which keeps importing the datastore (and every task start) cheap.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from runtime_shim.datastore.s3_settings import S3Settings

_CLIENTS: dict[tuple[object, ...], Any] = {}
_CLIENTS_LOCK = threading.Lock()


def make_client(settings: S3Settings) -> Any:
    """An S3 client for ``settings``, shared per process (creating one costs ~0.5 s)."""
    cache_key = (
        settings,
        os.environ.get("AWS_ACCESS_KEY_ID"),
        os.environ.get("AWS_SECRET_ACCESS_KEY"),
        os.environ.get("AWS_PROFILE"),
    )
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(cache_key)
        if client is None:
            client = _CLIENTS[cache_key] = new_client(settings)
        return client


def new_client(settings: S3Settings, **credentials: str) -> Any:
    """A fresh client; ``credentials`` (``aws_access_key_id=...``) bypass boto3's chain.

    botocore is used directly (boto3's session only adds resources and transfer helpers,
    which the store does not use) to keep each task's start-up short.
    """
    import botocore.session
    from botocore.config import Config

    style = settings.addressing_style or ("path" if settings.endpoint_url else None)
    config = Config(
        retries={"max_attempts": settings.max_attempts, "mode": "standard"},
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        max_pool_connections=max(10, 2 * settings.max_concurrency),
        s3={"addressing_style": style} if style else None,
    )
    session = botocore.session.get_session()
    # S3-compatible servers ignore the region but SigV4 needs one.
    region = session.get_config_variable("region") or (
        "us-east-1" if settings.endpoint_url else None
    )
    return session.create_client(
        "s3", endpoint_url=settings.endpoint_url, region_name=region, config=config, **credentials
    )


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → ``("bucket", "some/prefix")``."""
    if not url.startswith("s3://"):
        raise ValueError(f"not an s3:// URL: {url!r}")
    bucket, _, prefix = url[len("s3://") :].partition("/")
    if not bucket:
        raise ValueError(f"s3 URL without a bucket: {url!r}")
    return bucket, prefix.strip("/")
