"""``@secrets`` at run time: fetch each source and expose it as environment variables.

A source is a string or a ``{"type", "id", "options", "role"}`` mapping. A string names
its backend with a prefix (``aws-secrets-manager.db-creds``; ``:`` is accepted too);
:func:`parse_source` is the one reading of a source, which the compiler's backends use
as well, so a task and a deployed spec agree on which sources the task fetches:

* ``inline``: the values are in the source (``options={"env_vars": {...}}``), as in
  Metaflow (meant for tests);
* ``aws-secrets-manager``: read with boto3 (``secretsmanager.get_secret_value``), a JSON
  object's entries or the whole string, as Metaflow's provider does; the region comes
  from an ARN, ``options["region"]``, ``$METAFLOW_AWS_SECRETS_MANAGER_DEFAULT_REGION`` or
  boto3's own configuration, and ``role`` is assumed with STS first;
* no prefix: the platform's default backend. ``$METAFLOW_DEFAULT_SECRETS_BACKEND_TYPE``
  names it where set; in a Kubernetes pod the engine has already exposed the Kubernetes
  Secret of that name (``envFrom``), so the task leaves it alone; anywhere else it is
  Metaflow's error (no default backend configured).

Values are checked as Metaflow checks them (string names and values, names that are
identifiers, no ``METAFLOW_`` prefix, no name set by two sources, no existing variable
replaced unless ``allow_override``), and every failure is a ``MetaflowException`` naming
the source, raised in the step (so ``@retry`` and ``@catch`` apply).
"""

from __future__ import annotations

import os
import re

from runtime_shim.exceptions import MetaflowException

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

DEFAULT_BACKEND = "kubernetes"  # the platform's default: a source without a prefix
# Secrets backends Metaflow knows by name; a prefix naming one of them is a backend type.
BACKEND_TYPES = ("aws-secrets-manager", "gcp-secret-manager", "az-key-vault", "inline")
DEFAULT_TYPE_VARIABLE = "METAFLOW_DEFAULT_SECRETS_BACKEND_TYPE"
AWS_REGION_VARIABLE = "METAFLOW_AWS_SECRETS_MANAGER_DEFAULT_REGION"
AWS_ROLE_VARIABLE = "METAFLOW_AWS_SECRETS_MANAGER_DEFAULT_ROLE"
DEFAULT_ROLE_VARIABLE = "METAFLOW_DEFAULT_SECRETS_ROLE"
_ENV_NAME = re.compile("[a-zA-Z_][a-zA-Z0-9_]*")
_DISALLOWED_PREFIXES = ("METAFLOW_",)


def parse_source(source: str | dict[str, Any]) -> tuple[str, str]:
    """``(backend type, secret id)`` of one source (``DEFAULT_BACKEND`` without a type)."""
    if isinstance(source, dict):
        return str(source.get("type") or DEFAULT_BACKEND), str(source.get("id", ""))
    for separator in (":", "."):
        kind, found, ident = source.partition(separator)
        if found and (separator == ":" or kind in BACKEND_TYPES):
            return kind, ident
    return DEFAULT_BACKEND, source


def resolve_secrets(
    sources: list[str | dict[str, Any]],
    role: str | None = None,
    allow_override: bool = False,
    environ: Mapping[str, str] = os.environ,
) -> dict[str, str]:
    """The environment variables ``sources`` define (not yet applied)."""
    role = role or environ.get(DEFAULT_ROLE_VARIABLE) or None
    injected_by: dict[str, str] = {}
    found: dict[str, str] = {}
    for source in sources:
        kind, ident = parse_source(source)
        options: dict[str, Any] = {}
        source_role = role
        if isinstance(source, dict):
            options = dict(source.get("options") or {})
            source_role = source.get("role") or role
        if kind == DEFAULT_BACKEND:
            default = environ.get(DEFAULT_TYPE_VARIABLE)
            if default:
                kind = default
            elif "KUBERNETES_SERVICE_HOST" in environ:
                continue  # exposed by the pod spec (envFrom), see backends/secrets.py
            else:
                raise MetaflowException(
                    "No default secrets backend type configured, but needed by @secrets. "
                    f"Set {DEFAULT_TYPE_VARIABLE}."
                )
        label = f"{ident} ({kind})"
        provider = _PROVIDERS.get(kind)
        if provider is None:
            known = ", ".join(name for name in _PROVIDERS if name != "inline")
            raise MetaflowException(
                f"Unknown secrets backend type {kind} (available types: {known})"
            )
        try:
            values = provider(ident, options, source_role, environ)
        except MetaflowException:
            raise
        except Exception as exc:
            raise MetaflowException(f"Failed to retrieve secret '{ident}': {exc}") from exc
        _check_values(label, values)
        for name in values:
            if name in injected_by:
                raise MetaflowException(
                    f"Secret '{label}' will inject '{name}' as env var, and it is also "
                    f"added by '{injected_by[name]}'"
                )
            if not allow_override and name in environ:
                raise MetaflowException(
                    f"Secret '{label}' will inject '{name}' as env var, but it already "
                    "exists in env"
                )
            injected_by[name] = label
        found.update(values)
    return found


def _check_values(label: str, values: Mapping[Any, Any]) -> None:
    for name, value in values.items():
        problem = None
        if not isinstance(name, str):
            problem = f"Found non string key {name} ({type(name)})"
        elif not isinstance(value, str):
            problem = f"Found non string value {value} ({type(value)})"
        elif not _ENV_NAME.fullmatch(name):
            problem = f"Found invalid env var name '{name}'."
        else:
            prefix = next((p for p in _DISALLOWED_PREFIXES if name.startswith(p)), None)
            if prefix:
                problem = f"Found disallowed env var name '{name}' (starts with '{prefix}')."
        if problem:
            raise MetaflowException(f"Invalid env vars from secret {label}: {problem}")


def _inline(
    _ident: str, options: dict[str, Any], _role: str | None, _environ: Mapping[str, str]
) -> dict[str, str]:
    values: dict[str, str] = dict(options.get("env_vars") or {})
    return values


def _aws_secrets_manager(
    ident: str, options: dict[str, Any], role: str | None, environ: Mapping[str, str]
) -> dict[str, str]:
    import base64
    import json

    arn_region = re.match("arn:aws:secretsmanager:([^:]+):", ident)
    region = (
        arn_region.group(1)
        if arn_region
        else options.get("region") or environ.get(AWS_REGION_VARIABLE) or None
    )
    session = _aws_session(role or environ.get(AWS_ROLE_VARIABLE) or None)
    client = session.client("secretsmanager", region_name=region)
    response = client.get_secret_value(SecretId=ident)
    if "Name" not in response:
        raise MetaflowException("Secret 'Name' is missing in response")
    result: dict[str, str] = {}

    def add(key: str, value: str) -> None:
        name = key.replace("-", "_").replace(".", "_").replace("/", "_")
        if name in result:
            raise MetaflowException(f"Duplicate key in secret: '{key}' (sanitizes to '{name}')")
        result[name] = value

    single_name = options.get("env_var_name") or response["Name"]
    if "SecretString" in response:
        text = response["SecretString"]
        if not options.get("json", True):
            add(single_name, text)
            return result
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            raise MetaflowException("Secret string could not be parsed as JSON") from None
        if not isinstance(document, dict):
            raise MetaflowException(
                "Secret string is a JSON, but not an object (dict-like) - actual type "
                f"{type(document)}."
            )
        for key, value in document.items():
            add(key, str(value))
    elif "SecretBinary" in response:
        add(single_name, base64.b64encode(response["SecretBinary"]).decode())
    else:
        raise MetaflowException("Secret response is missing both 'SecretString' and 'SecretBinary'")
    return result


def _aws_session(role: str | None) -> Any:
    import boto3

    if not role:
        return boto3.session.Session()
    credentials = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName="flowc-secrets")[
        "Credentials"
    ]
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


_PROVIDERS: dict[
    str, Callable[[str, dict[str, Any], str | None, Mapping[str, str]], dict[str, str]]
] = {
    "inline": _inline,
    "aws-secrets-manager": _aws_secrets_manager,
}
