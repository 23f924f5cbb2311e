"""The run viewer (``flowc ui``, ``flowc card server``, ``python flow.py card server``).

A read-only web server over a local or ``s3://`` datastore: flows and their runs, a run's
DAG coloured by task status with a timeline of its tasks (followed live while it runs),
and a task's cards, artifacts and logs. docs/ui.md describes it.
"""

from __future__ import annotations

from flowc.ui._server import DEFAULT_HOST, DEFAULT_PORT, make_server

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "make_server", "serve"]


def serve(
    root: str,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    poll_seconds: float = 1.0,
    path: str = "/",
    echo: bool = True,
) -> None:
    """Serve until interrupted, printing the URL to open (``path`` appended)."""
    import sys

    server = make_server(root, host, port, poll_seconds)
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    if echo:
        print(f"flowc ui: serving {root} at http://{shown}:{bound_port}{path}", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
