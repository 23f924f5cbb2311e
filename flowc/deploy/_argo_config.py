"""Where the Argo target finds the Argo Server: the ``argo`` CLI's own environment variables
(``ARGO_SERVER``, ``ARGO_SECURE``, ``ARGO_INSECURE_SKIP_VERIFY``, ``ARGO_TOKEN``,
``ARGO_BASE_HREF``, ``ARGO_NAMESPACE``) and the kubeconfig's namespace, so a shell set up
for ``argo submit`` works for ``flowc deploy`` unchanged.

Options given to the target (``--target-option server=...``) win over the environment.
hera talks to the server's REST API over HTTP/1, so ``ARGO_HTTP1`` (which makes the argo
CLI leave gRPC) changes nothing here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowc.deploy._model import DeployConfigError

#: option key -> what it sets (each overrides the environment variable it names).
CONNECTION_OPTIONS: dict[str, str] = {
    "server": "the Argo Server's HOST:PORT (ARGO_SERVER)",
    "secure": "https (true, the default) or http (false) (ARGO_SECURE)",
    "insecure_skip_verify": "do not check the server's TLS certificate (ARGO_INSECURE_SKIP_VERIFY)",
    "token": "the bearer token (ARGO_TOKEN)",
    "base_href": "the path the server is served under (ARGO_BASE_HREF)",
    "namespace": "the Kubernetes namespace (ARGO_NAMESPACE, else the kubeconfig's)",
}
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


@dataclass(frozen=True)
class ArgoConnection:
    """An Argo Server endpoint: its URL (scheme, host, port, base path), TLS checking,
    the bearer token (None when the server runs with ``--auth-mode=server``) and the
    namespace deployments go to."""

    url: str
    verify_ssl: bool
    token: str | None
    namespace: str


def _setting(options: Mapping[str, Any], key: str, variable: str, env: Mapping[str, str]) -> Any:
    if options.get(key) is not None:
        return options[key]
    return env.get(variable)


def _flag(value: Any, variable: str, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise DeployConfigError(f"{variable}={value!r} is not a boolean (use true or false)")


def kubeconfig_namespace(env: Mapping[str, str]) -> str | None:
    """The current context's namespace in the kubeconfig (``KUBECONFIG``, first file, or
    ``~/.kube/config``), as ``kubectl`` and ``argo`` read it; None when there is none."""
    import yaml

    paths = env.get("KUBECONFIG", "").split(os.pathsep) if env.get("KUBECONFIG") else []
    path = Path(paths[0]) if paths else Path(env.get("HOME", "~")).expanduser() / ".kube/config"
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    current = config.get("current-context")
    for entry in config.get("contexts") or []:
        if isinstance(entry, dict) and entry.get("name") == current:
            namespace = (entry.get("context") or {}).get("namespace")
            return str(namespace) if namespace else None
    return None


def read_connection(
    options: Mapping[str, Any], env: Mapping[str, str] = os.environ
) -> ArgoConnection:
    """The Argo Server endpoint from ``options`` and the environment; a missing
    ``ARGO_SERVER`` (or a malformed flag) is a ``DeployConfigError`` naming it."""
    server = _setting(options, "server", "ARGO_SERVER", env)
    if not server:
        raise DeployConfigError(
            "ARGO_SERVER is not set: export ARGO_SERVER=HOST:PORT (the Argo Server's "
            "address, as for the argo CLI) or pass --target-option server=HOST:PORT"
        )
    server = str(server)
    if "://" in server:
        raise DeployConfigError(
            f"ARGO_SERVER={server!r} must be HOST:PORT without a scheme "
            "(ARGO_SECURE=false selects http)"
        )
    secure = _flag(_setting(options, "secure", "ARGO_SECURE", env), "ARGO_SECURE", True)
    skip_verify = _flag(
        _setting(options, "insecure_skip_verify", "ARGO_INSECURE_SKIP_VERIFY", env),
        "ARGO_INSECURE_SKIP_VERIFY",
        False,
    )
    base = str(_setting(options, "base_href", "ARGO_BASE_HREF", env) or "").strip("/")
    url = f"{'https' if secure else 'http'}://{server}/" + (f"{base}/" if base else "")
    token = _setting(options, "token", "ARGO_TOKEN", env) or None
    namespace = (
        _setting(options, "namespace", "ARGO_NAMESPACE", env)
        or kubeconfig_namespace(env)
        or "default"
    )
    return ArgoConnection(
        url=url,
        verify_ssl=not skip_verify,
        token=str(token) if token else None,
        namespace=str(namespace),
    )
