"""``@secrets`` sources fetched inside the task (runtime_shim.secrets): inline sources,
AWS Secrets Manager through boto3 against a moto server, and Metaflow's checks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from runtime_shim.exceptions import MetaflowException
from runtime_shim.secrets import parse_source, resolve_secrets
from tests.support.runtime import run_local

AWS = {
    "AWS_ACCESS_KEY_ID": "moto",
    "AWS_SECRET_ACCESS_KEY": "moto",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def secrets_manager() -> Iterator[dict[str, str]]:
    """A moto server with secrets in it; the environment that points boto3 at it."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {**AWS, "AWS_ENDPOINT_URL": f"http://{host}:{port}"}
    client = boto3.client(
        "secretsmanager",
        region_name="us-east-1",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        aws_access_key_id="moto",
        aws_secret_access_key="moto",
    )
    client.create_secret(
        Name="db-credentials", SecretString=json.dumps({"db-user": "alice", "port": 5432})
    )
    client.create_secret(Name="api.token", SecretString="not json")
    client.create_secret(Name="blob", SecretBinary=b"\x00\x01")
    client.create_secret(Name="a-list", SecretString="[1, 2]")
    try:
        yield env
    finally:
        server.stop()


def test_sources_are_read_as_the_backends_read_them() -> None:
    assert parse_source("aws-secrets-manager.db.creds") == ("aws-secrets-manager", "db.creds")
    assert parse_source("vault:team/key") == ("vault", "team/key")
    assert parse_source("my.secret") == ("kubernetes", "my.secret")
    assert parse_source({"type": "inline", "id": "1"}) == ("inline", "1")
    assert parse_source({"id": "plain"}) == ("kubernetes", "plain")


def test_inline_sources_and_metaflows_checks() -> None:
    inline = {"type": "inline", "id": "1", "options": {"env_vars": {"A": "1", "b_2": "x"}}}
    assert resolve_secrets([inline], environ={}) == {"A": "1", "b_2": "x"}

    def fails(sources: list[Any], match: str, **kwargs: Any) -> None:
        with pytest.raises(MetaflowException, match=match):
            resolve_secrets(sources, **kwargs)

    def one(values: dict[str, Any]) -> dict[str, Any]:
        return {"type": "inline", "id": "x", "options": {"env_vars": values}}

    fails([one({"METAFLOW_X": "1"})], "disallowed env var name 'METAFLOW_X'", environ={})
    fails([one({"1A": "1"})], "invalid env var name '1A'", environ={})
    fails([one({"A": 1})], "non string value", environ={})
    fails([inline, one({"A": "2"})], "'A' as env var, and it is also added by", environ={})
    fails([inline], "already exists in env", environ={"A": "0"})
    assert resolve_secrets([inline], allow_override=True, environ={"A": "0"})["A"] == "1"
    fails(["gcp:anything"], "Unknown secrets backend type gcp", environ={})
    fails(["plain"], "No default secrets backend type configured", environ={})
    # On a pod the engine has exposed a plain source (a Kubernetes Secret) already.
    assert resolve_secrets(["plain"], environ={"KUBERNETES_SERVICE_HOST": "10.0.0.1"}) == {}
    default = {"METAFLOW_DEFAULT_SECRETS_BACKEND_TYPE": "inline"}
    assert resolve_secrets([{"id": "x", "options": {"env_vars": {"B": "2"}}}], environ=default)


def test_aws_secrets_manager(
    secrets_manager: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in secrets_manager.items():
        monkeypatch.setenv(name, value)
    env = dict(secrets_manager)
    got = resolve_secrets(["aws-secrets-manager.db-credentials"], environ=env)
    assert got == {"db_user": "alice", "port": "5432"}
    plain = {"type": "aws-secrets-manager", "id": "api.token", "options": {"json": False}}
    assert resolve_secrets([plain], environ=env) == {"api_token": "not json"}
    named = {**plain, "options": {"json": False, "env_var_name": "TOKEN"}}
    assert resolve_secrets([named], environ=env) == {"TOKEN": "not json"}
    assert resolve_secrets(["aws-secrets-manager.blob"], environ=env) == {"blob": "AAE="}
    # The role is assumed through STS before the secret is read.
    role = {
        "type": "aws-secrets-manager",
        "id": "db-credentials",
        "role": "arn:aws:iam::123456789012:role/reader",
    }
    assert resolve_secrets([role], environ=env)["db_user"] == "alice"
    with pytest.raises(MetaflowException, match="could not be parsed as JSON"):
        resolve_secrets(["aws-secrets-manager.api.token"], environ=env)
    with pytest.raises(MetaflowException, match="not an object"):
        resolve_secrets(["aws-secrets-manager.a-list"], environ=env)
    with pytest.raises(MetaflowException, match="Failed to retrieve secret 'missing'"):
        resolve_secrets(["aws-secrets-manager.missing"], environ=env)


def test_a_step_sees_its_secrets(
    workdir: str, secrets_manager: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowc.client import Run

    for name, value in secrets_manager.items():
        monkeypatch.setenv(name, value)
    result = run_local("tests/runtime/flows/secrets.py", cwd=workdir)
    assert result.ok
    run = Run(f"SecretsFlow/{result.run_id}", datastore=result.datastore)
    assert run["start"].task.data.inline == "pizza"
    assert run["start"].task.data.user == "alice"
    assert run["end"].task.data.leaked is False
