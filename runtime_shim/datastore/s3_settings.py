"""How the S3 datastore is configured: environment first, then boto3's own chain.

Credentials and region are never read here: boto3's standard chain (environment,
shared config/credentials files, ``AWS_PROFILE``, container and instance roles) does
that, so a task container needs nothing flowc-specific to reach AWS. What flowc adds is
the endpoint override for S3-compatible stores and the transfer/commit tuning below.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

MIB = 1024 * 1024

#: ``FLOWC_S3_CONDITIONAL_WRITES`` values: ``auto`` uses ``If-None-Match: *`` and falls
#: back to claims when the store answers that it does not implement it; ``on`` never
#: falls back; ``off`` always uses claims (for stores that silently ignore the header).
CONDITIONAL_MODES = ("auto", "on", "off")


@dataclass(frozen=True)
class S3Settings:
    """Tuning for one S3 object store; every field has an environment variable."""

    endpoint_url: str | None = None
    addressing_style: str | None = None
    conditional_writes: str = "auto"
    multipart_threshold: int = 16 * MIB
    part_size: int = 16 * MIB
    max_concurrency: int = 8
    single_stream_mb_per_s: float = 100.0
    max_attempts: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    claim_settle_seconds: float = 2.0
    claim_stale_seconds: float = 120.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> S3Settings:
        """Read ``FLOWC_S3_*`` (and the standard ``AWS_ENDPOINT_URL*``) variables."""
        env = os.environ if environ is None else environ
        endpoint = (
            env.get("FLOWC_S3_ENDPOINT_URL")
            or env.get("AWS_ENDPOINT_URL_S3")
            or env.get("AWS_ENDPOINT_URL")
            or None
        )
        mode = env.get("FLOWC_S3_CONDITIONAL_WRITES", "auto").strip().lower()
        if mode not in CONDITIONAL_MODES:
            raise ValueError(
                f"FLOWC_S3_CONDITIONAL_WRITES={mode!r}: "
                f"expected one of {', '.join(CONDITIONAL_MODES)}"
            )
        defaults = cls()
        return cls(
            endpoint_url=endpoint,
            addressing_style=env.get("FLOWC_S3_ADDRESSING_STYLE") or None,
            conditional_writes=mode,
            multipart_threshold=_mib(
                env, "FLOWC_S3_MULTIPART_THRESHOLD_MB", defaults.multipart_threshold
            ),
            part_size=max(5 * MIB, _mib(env, "FLOWC_S3_PART_SIZE_MB", defaults.part_size)),
            max_concurrency=max(1, _int(env, "FLOWC_S3_MAX_CONCURRENCY", defaults.max_concurrency)),
            single_stream_mb_per_s=_float(
                env, "FLOWC_S3_SINGLE_STREAM_MBPS", defaults.single_stream_mb_per_s
            ),
            max_attempts=max(1, _int(env, "FLOWC_S3_MAX_ATTEMPTS", defaults.max_attempts)),
            connect_timeout=_float(env, "FLOWC_S3_CONNECT_TIMEOUT", defaults.connect_timeout),
            read_timeout=_float(env, "FLOWC_S3_READ_TIMEOUT", defaults.read_timeout),
            claim_settle_seconds=_float(
                env, "FLOWC_S3_CLAIM_SETTLE_SECONDS", defaults.claim_settle_seconds
            ),
            claim_stale_seconds=_float(
                env, "FLOWC_S3_CLAIM_STALE_SECONDS", defaults.claim_stale_seconds
            ),
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not an integer") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None


def _mib(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return int(float(raw) * MIB)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number of MiB") from None
