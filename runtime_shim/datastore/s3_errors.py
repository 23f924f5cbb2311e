"""Turn boto3/botocore failures into errors a user can act on.

S3 reports the same few problems in many shapes (``NoSuchBucket`` in a body, a bare 403
on HEAD, a ``NoCredentialsError`` before any request). Every S3 call in the datastore
goes through :func:`translate`, so the user always learns which URL failed, what S3 said,
and what to check, and a missing key is always :class:`ObjectNotFound`.
"""

from __future__ import annotations

from runtime_shim.datastore.errors import ObjectNotFound, ObjectStoreError

NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
CREDENTIAL_CODES = frozenset(
    {
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "InvalidToken",
        "TokenRefreshRequired",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "AuthorizationHeaderMalformed",
    }
)
DENIED_CODES = frozenset({"AccessDenied", "AllAccessDisabled", "Forbidden"})
PRECONDITION_CODES = frozenset({"PreconditionFailed", "412"})
CONFLICT_CODES = frozenset({"ConditionalRequestConflict", "409"})
UNSUPPORTED_CODES = frozenset({"NotImplemented", "501"})

CREDENTIALS_HINT = (
    "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), AWS_PROFILE, "
    "or the role attached to this machine"
)


class S3CredentialsError(ObjectStoreError):
    """The store rejected (or could not find) the credentials."""


class S3PermissionError(ObjectStoreError):
    """The credentials are valid but may not perform the operation."""


class S3BucketNotFound(ObjectStoreError):
    """The datastore's bucket does not exist."""


def error_code(exc: BaseException) -> str:
    """The S3 error code of a botocore ``ClientError`` ('' for anything else)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    code = response.get("Error", {}).get("Code")
    if code:
        return str(code)
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return str(status) if status else ""


def bucket_not_found(*, url: str, endpoint: str | None, action: str) -> S3BucketNotFound:
    where = f"endpoint {endpoint}" if endpoint else "AWS S3"
    bucket = url[len("s3://") :].split("/", 1)[0]
    return S3BucketNotFound(
        f"cannot {action} {url}: bucket {bucket!r} does not exist on {where}; create it "
        "or fix the datastore URL"
    )


def translate(exc: BaseException, *, url: str, endpoint: str | None, action: str) -> Exception:
    """The flowc error for a failed S3 call; ``url`` is the object or prefix involved."""
    from botocore import exceptions as bx

    where = f"endpoint {endpoint}" if endpoint else "AWS S3"
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return S3CredentialsError(
            f"cannot {action} {url}: no usable AWS credentials were found; {CREDENTIALS_HINT}"
        )
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectTimeoutError):
        return ObjectStoreError(
            f"cannot {action} {url}: {where} is unreachable ({exc}); check the endpoint "
            "(FLOWC_S3_ENDPOINT_URL / AWS_ENDPOINT_URL_S3) and the network"
        )
    if not isinstance(exc, bx.ClientError):
        return ObjectStoreError(f"cannot {action} {url} on {where}: {exc}")
    code = error_code(exc)
    message = exc.response.get("Error", {}).get("Message", "") or str(exc)
    if code in NOT_FOUND_CODES:
        return ObjectNotFound(url)
    if code == "NoSuchBucket":
        return bucket_not_found(url=url, endpoint=endpoint, action=action)
    if code in CREDENTIAL_CODES:
        return S3CredentialsError(
            f"cannot {action} {url}: {where} rejected the credentials ({code}: {message}); "
            f"{CREDENTIALS_HINT}"
        )
    if code in DENIED_CODES or code == "403":
        detail = f"{code}: {message}" if code != "403" else "HTTP 403 without details"
        return S3PermissionError(
            f"cannot {action} {url}: access denied by {where} ({detail}); the credentials "
            "are missing a permission for this bucket/prefix (s3:GetObject, s3:PutObject, "
            "s3:ListBucket) or are not valid there"
        )
    return ObjectStoreError(f"cannot {action} {url} on {where}: {code}: {message}")
