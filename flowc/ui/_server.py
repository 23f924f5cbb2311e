"""The viewer's HTTP server: the standard library's ``ThreadingHTTPServer``, GET only.

Routes (every name percent-encoded, every page escaped):

```
/                                   flows and their latest runs
/flows/FLOW                         every run of a flow
/runs/FLOW/RUN                      the run: DAG by task status, tasks and their timeline
/api/runs/FLOW/RUN                  the run as JSON (the run page polls it while it runs)
/tasks/FLOW/RUN/STEP/TASK           a task: cards, artifacts, stdout and stderr
/api/tasks/FLOW/RUN/STEP/TASK       the task's status (its page polls it while it runs)
/cards/FLOW/runs/RUN/STEP/KEY/attempt-N/cards/NAME    a card (.html) or its data (.data.json)
/static/ui.css, /static/ui.js
```
Other methods get 501 from ``BaseHTTPRequestHandler``: the viewer never writes.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from flowc.ui import _pages, _static
from flowc.ui._model import Datastore, task_detail, task_status

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8324  # Metaflow's card server port
DEFAULT_POLL_SECONDS = 1.0
TOKEN_PARAMETER = "viewer"

# The viewer's own pages: scripts and styles from the viewer only, frames only of its
# own cards, and nothing fetched from elsewhere. The timeline's bars are inline styles.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'none'"
)
# A card keeps the policy it carries (runtime_shim.cards.page) and may only be framed
# by the viewer.
_CARD_KEY = re.compile(
    r"^[^/]+/runs/[^/]+/[^/]+/[^/]+/attempt-[0-9]+/cards/[^/]+\.(html|data\.json)$"
)


class Viewer:
    """What the handler serves: a datastore and how often a run page polls."""

    def __init__(self, root: str, poll_seconds: float = DEFAULT_POLL_SECONDS) -> None:
        self.store = Datastore(root)
        self.poll_ms = max(int(poll_seconds * 1000), 100)
        self.token = secrets.token_urlsafe(16)


class Handler(BaseHTTPRequestHandler):
    server_version = "flowc-ui"
    viewer: Viewer

    def log_message(self, format: str, *args: Any) -> None:
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _respond(self, head: bool) -> None:
        path = urlsplit(self.path).path
        parts = [unquote(p) for p in path.strip("/").split("/")] if path.strip("/") else []
        try:
            status, ctype, body, policy = self._route(path, parts)
        except Exception as exc:
            from runtime_shim.exceptions import MetaflowNotFound

            if isinstance(exc, (MetaflowNotFound, KeyError, FileNotFoundError)):
                status, ctype, policy = 404, "text/html", PAGE_POLICY
                body = _pages.not_found_page(f"{path}: {exc}").encode()
            else:
                status, ctype, policy = 500, "text/html", PAGE_POLICY
                body = _pages.page("Error", f"<pre class='error'>{_pages.esc(exc)}</pre>").encode()
                print(f"flowc ui: {path}: {type(exc).__name__}: {exc}", file=sys.stderr)
        self.send_response(status)
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if path.endswith(".data.json") and self._from_own_card():
            # A card's frame is sandboxed, so its live poll comes from an opaque origin
            # ("null"), which a page of any site can have too: it is answered only with
            # this server's token, which only the viewer's own pages carry.
            self.send_header("Access-Control-Allow-Origin", "null")
        if policy:
            self.send_header("Content-Security-Policy", policy)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _from_own_card(self) -> bool:
        from hmac import compare_digest

        given = parse_qs(urlsplit(self.path).query).get(TOKEN_PARAMETER, [""])[0]
        return compare_digest(given, self.viewer.token)

    def _route(self, path: str, parts: list[str]) -> tuple[int, str, bytes, str]:
        viewer, store = self.viewer, self.viewer.store
        html = "text/html"
        if not parts:
            flows = [(name, store.runs(name)) for name in store.flows()]
            return 200, html, _pages.flows_page(flows).encode(), PAGE_POLICY
        head, rest = parts[0], parts[1:]
        if head == "static" and rest == ["ui.css"]:
            return 200, "text/css", _static.stylesheet().encode(), ""
        if head == "static" and rest == ["ui.js"]:
            return 200, "text/javascript", _static.SCRIPT.encode(), ""
        if head == "flows" and len(rest) == 1:
            runs = store.runs(rest[0])
            if not runs:
                raise KeyError(f"no runs of {rest[0]}")
            return 200, html, _pages.flow_page(rest[0], runs).encode(), PAGE_POLICY
        if head == "runs" and len(rest) == 2:
            run = self._run(*rest)
            return 200, html, _pages.run_page(run, viewer.poll_ms).encode(), PAGE_POLICY
        if head == "api" and rest[:1] == ["runs"] and len(rest) == 3:
            data = json.dumps(_pages.run_update(self._run(*rest[1:])))
            return 200, "application/json", data.encode(), ""
        if head == "tasks" and len(rest) == 4:
            detail = task_detail(store, *rest)
            for card in detail["cards"]:
                card["frame_url"] = _framed(card["url"], viewer.token)
            return 200, html, _pages.task_page(detail, viewer.poll_ms).encode(), PAGE_POLICY
        if head == "api" and rest[:1] == ["tasks"] and len(rest) == 5:
            data = json.dumps({"status": task_status(store, *rest[1:])})
            return 200, "application/json", data.encode(), ""
        if head == "cards":
            return self._card("/".join(rest))
        raise KeyError("no such page")

    def _run(self, flow: str, run: str) -> Any:
        if run not in store_runs(self.viewer.store, flow):
            raise KeyError(f"no run {flow}/{run}")
        return self.viewer.store.run(flow, run)

    def _card(self, key: str) -> tuple[int, str, bytes, str]:
        from runtime_shim.cards.page import CONTENT_POLICY
        from runtime_shim.datastore.errors import ObjectNotFound

        names = key.split("/")
        if not _CARD_KEY.match(key) or any(
            n in ("", ".", "..") or n.startswith(".") for n in names
        ):
            raise KeyError("not a card")
        try:
            data = self.viewer.store.store.get(key)
        except ObjectNotFound:
            raise KeyError("no such card") from None
        if key.endswith(".html"):
            return 200, "text/html", data, f"{CONTENT_POLICY}; frame-ancestors 'self'"
        return 200, "application/json", data, ""


def _framed(card_url: str, token: str) -> str:
    """The card's address in the task page's frame: with ``?data=`` naming its data file
    with the viewer's token (docs/architecture.md#live-cards)."""
    from urllib.parse import quote

    data = f"{card_url[: -len('.html')]}.data.json?{TOKEN_PARAMETER}={token}"
    return f"{card_url}?data={quote(data, safe='/')}"


def store_runs(store: Datastore, flow: str) -> list[str]:
    return store.flow(flow).list_runs()


def make_server(
    root: str,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    poll_seconds: float = DEFAULT_POLL_SECONDS,
) -> ThreadingHTTPServer:
    """A viewer of datastore ``root`` listening on ``host:port`` (port 0: any free port);
    call ``serve_forever()`` on it, ``shutdown()`` from another thread to stop it."""
    handler = type("ViewerHandler", (Handler,), {"viewer": Viewer(root, poll_seconds)})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
