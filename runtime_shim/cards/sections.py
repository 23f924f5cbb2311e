"""The parts of the default card: task metadata, parameters, artifacts, the step's source.

Every value shown comes from the flow or its user, so every one is escaped here; the
only markup is the structure around the values. Artifacts are shown by what they are:
a DataFrame as a table (its first 100 rows), image bytes or a PIL image as an image,
anything else as its repr capped at ``limit`` characters (built with ``reprlib``, so a
huge value is never repr'd whole).
"""

from __future__ import annotations

import html
import reprlib
import time

from runtime_shim.cards.components import Image, Table, image_kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _text(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return ""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch % 1 * 1000):03d}Z"


def metadata_table(task: Any) -> str:
    created = getattr(task, "created_at", None)
    finished = getattr(task, "finished_at", None)
    duration = f"{finished - created:.3f} s" if created is not None and finished is not None else ""
    rows = [
        ("Pathspec", task.pathspec),
        ("Created", _when(created)),
        ("Finished", _when(finished) if finished is not None else "running"),
        ("Duration", duration),
        ("Attempt", getattr(task, "attempt", 0)),
        ("Tags", ", ".join(sorted(getattr(task, "tags", ()) or ()))),
        ("User", getattr(task, "user", "") or ""),
    ]
    body = "".join(f"<tr><th>{_text(k)}</th><td>{_text(v)}</td></tr>" for k, v in rows)
    return f"<table class='meta'>{body}</table>"


def parameters_table(parameters: dict[str, Any], limit: int) -> str:
    if not parameters:
        return "<p>This flow has no parameters.</p>"
    body = "".join(
        f"<tr><th>{_text(name)}</th><td><pre>{_text(capped_repr(value, limit))}</pre></td></tr>"
        for name, value in sorted(parameters.items())
    )
    return f"<table class='parameters'>{body}</table>"


def capped_repr(value: Any, limit: int) -> str:
    shortener = reprlib.Repr()
    shortener.maxstring = shortener.maxother = limit
    shortener.maxlist = shortener.maxtuple = shortener.maxdict = shortener.maxset = 50
    shortener.maxlevel = 4
    text = shortener.repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def artifact_html(value: Any, limit: int) -> str:
    """One artifact's value: a table, an image, or its capped repr."""
    if _is_dataframe(value):
        rows, cols = value.shape
        note = f"<p class='shape'>{rows} rows x {cols} columns"
        note += ", first 100 shown</p>" if rows > 100 else "</p>"
        return note + Table.from_dataframe(value).render()
    if isinstance(value, bytes | bytearray) and image_kind(bytes(value)) is not None:
        return Image(bytes(value)).render()
    if _is_pil_image(value):
        return Image.from_pil_image(value).render()
    return f"<pre>{_text(capped_repr(value, limit))}</pre>"


def _is_dataframe(value: Any) -> bool:
    cls = type(value)
    return cls.__name__ == "DataFrame" and cls.__module__.startswith("pandas")


def _is_pil_image(value: Any) -> bool:
    return any(
        c.__module__.startswith("PIL.") and c.__name__ == "Image" for c in type(value).__mro__
    )


def artifacts_table(task: Any, limit: int) -> str:
    rows = []
    for artifact in task:
        if artifact.id.startswith("_"):
            continue
        rows.append(
            f"<tr><th>{_text(artifact.id)}</th><td>{artifact_html(artifact.data, limit)}</td></tr>"
        )
    if not rows:
        return "<p>No artifacts.</p>"
    return f"<table class='artifacts'>{''.join(rows)}</table>"


def step_source(flow: Any, step: str) -> str:
    """The step function's source (its decorators included), or a note why not."""
    import inspect

    func = getattr(type(flow), step, None)
    if func is None:
        return "<p>The step's source is not available.</p>"
    try:
        source = inspect.getsource(inspect.unwrap(func))
    except (OSError, TypeError):
        return "<p>The step's source is not available.</p>"
    return f"<pre class='python-code'><code>{_text(inspect.cleandoc(source))}</code></pre>"
