"""A small client of Airflow 3's REST API (``/api/v2``) over ``urllib``: no HTTP library is
added for a handful of JSON requests, and nothing heavy is imported by ``flowc --help``.

Authentication is Airflow 3's: a JWT sent as a bearer token, either given
(``AIRFLOW_API_TOKEN``) or obtained from ``POST /auth/token`` with a username and
password (the simple and FAB auth managers both serve it), and fetched again once when
the server answers 401 (tokens expire).
"""

from __future__ import annotations

import email.utils
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flowc.deploy._model import DeployConfigError, DeployError

#: Where each setting is read from when not given as a target option.
ENV_API_URL = "AIRFLOW_API_URL"
ENV_TOKEN = "AIRFLOW_API_TOKEN"
ENV_USERNAME = "AIRFLOW_USERNAME"
ENV_PASSWORD = "AIRFLOW_PASSWORD"
PAGE_SIZE = 100
RETRIES = 2


class AirflowUnreachable(DeployError):
    """No answer from the API server (refused, timed out)."""


class AirflowApiError(DeployError):
    """The API answered with an error status; ``status`` is the HTTP code."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class AirflowResponse:
    status: int
    body: Any
    server_time: datetime | None


@dataclass
class AirflowApi:
    """One Airflow deployment's API: its base URL and how to authenticate."""

    base_url: str
    token: str | None = None
    username: str | None = None
    password: str | None = None
    timeout: float = 20.0
    _fetched_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, options: Mapping[str, str], environ: Mapping[str, str]) -> AirflowApi:
        """From the target options ``api_url``/``token``/``username``/``password``, else
        ``AIRFLOW_API_URL``, ``AIRFLOW_API_TOKEN``, ``AIRFLOW_USERNAME``,
        ``AIRFLOW_PASSWORD`` in ``environ``; a missing one is a ``DeployConfigError``
        naming it."""
        url = options.get("api_url") or environ.get(ENV_API_URL)
        if not url:
            raise DeployConfigError(
                f"the Airflow API URL is not set: export {ENV_API_URL}=http://HOST:PORT "
                "(the api-server's address) or pass --option api_url=..."
            )
        token = options.get("token") or environ.get(ENV_TOKEN)
        username = options.get("username") or environ.get(ENV_USERNAME)
        password = options.get("password") or environ.get(ENV_PASSWORD)
        if not token:
            missing = [n for n, v in ((ENV_USERNAME, username), (ENV_PASSWORD, password)) if not v]
            if missing:
                raise DeployConfigError(
                    f"no Airflow credentials: set {ENV_TOKEN} (a JWT), or {ENV_USERNAME} "
                    f"and {ENV_PASSWORD} ({' and '.join(missing)} not set)"
                )
        return cls(base_url=url.rstrip("/"), token=token, username=username, password=password)

    def get(self, path: str, **query: Any) -> Any:
        return self.call("GET", path, query=query).body

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: Mapping[str, Any] | None = None,
        accept: str = "application/json",
        idempotent: bool | None = None,
    ) -> AirflowResponse:
        """One request; a 401 fetches a fresh token once, an idempotent request (a GET,
        unless told otherwise) that timed out or met a server error is sent again (twice
        at most: Airflow answers 500 when PostgreSQL ends one of its transactions as a
        deadlock victim), other errors raise ``AirflowApiError`` with Airflow's own
        ``detail``."""
        refreshed = False
        retries = RETRIES if (method == "GET" if idempotent is None else idempotent) else 0
        while True:
            try:
                return self._send(method, path, body, query, accept, self._bearer(refreshed))
            except AirflowApiError as exc:
                if exc.status == 401 and not refreshed and not self.token:
                    refreshed = True
                    continue
                if exc.status < 500 or retries == 0:
                    raise
            except AirflowUnreachable:
                if retries == 0:
                    raise
            retries -= 1
            time.sleep(1.0)

    def pages(self, path: str, key: str, **query: Any) -> Iterator[dict[str, Any]]:
        """Every item of a paginated collection (``limit``/``offset``, ``total_entries``)."""
        offset = 0
        while True:
            page = self.get(path, limit=PAGE_SIZE, offset=offset, **query)
            items = page.get(key) or []
            yield from items
            offset += len(items)
            if not items or offset >= int(page.get("total_entries", 0)):
                return

    def _bearer(self, refresh: bool) -> str:
        if self.token:
            return self.token
        if self._fetched_token is None or refresh:
            answer = self._send(
                "POST",
                "/auth/token",
                {"username": self.username, "password": self.password},
                None,
                "application/json",
                None,
            )
            self._fetched_token = str(answer.body["access_token"])
        return self._fetched_token

    def _send(
        self,
        method: str,
        path: str,
        body: Any,
        query: Mapping[str, Any] | None,
        accept: str,
        bearer: str | None,
    ) -> AirflowResponse:
        url = self.base_url + path
        params = {k: v for k, v in (query or {}).items() if v is not None}
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        headers = {"Accept": accept}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
                return AirflowResponse(
                    response.status, _decode(raw, accept), _server_time(response.headers)
                )
        except urllib.error.HTTPError as exc:
            detail = _error_detail(exc.read())
            where = "/auth/token" if bearer is None else path
            raise AirflowApiError(
                f"Airflow API {method} {where} answered {exc.code}: {detail}", exc.code
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise AirflowUnreachable(
                f"cannot reach the Airflow API at {self.base_url} ({reason}); check {ENV_API_URL}"
            ) from None


def _decode(raw: bytes, accept: str) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if accept != "application/json":
        return text
    return json.loads(text)


def _server_time(headers: Any) -> datetime | None:
    """The server's clock from its ``Date`` header: import errors are judged against it,
    not against this machine's clock."""
    value = headers.get("Date")
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def _error_detail(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    try:
        detail = json.loads(text).get("detail", text)
    except (ValueError, AttributeError):
        return text[:500]
    return detail if isinstance(detail, str) else json.dumps(detail)[:500]
