"""Card components (``metaflow.cards.Markdown``, ``Table``, ...), each rendering to HTML.

Every value a flow passes in is escaped (``html.escape``) before it reaches the page;
only the structure around it is markup. ``update()`` changes a component in place, as in
Metaflow, and the next render shows the new value.
"""

from __future__ import annotations

import base64
import html
import json
from functools import cache

from runtime_shim.cards.base import MetaflowCardComponent

__all__ = [
    "Artifact",
    "Error",
    "EventsTimeline",
    "Image",
    "JSONViewer",
    "Markdown",
    "ProgressBar",
    "PythonCode",
    "SectionComponent",
    "Table",
    "UserComponent",
    "ValueBox",
    "VegaChart",
    "YAMLViewer",
    "failed_component",
    "placed",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _text(value: Any) -> str:
    return html.escape(str(value), quote=True)


def render_value(value: Any) -> str:
    """A table cell or an artifact: a component renders itself, anything else is escaped."""
    if isinstance(value, MetaflowCardComponent):
        rendered = value.render()
        return rendered if isinstance(rendered, str) else _text(json.dumps(rendered))
    return _text(value)


class UserComponent(MetaflowCardComponent):
    """Base of the components a flow builds (as Metaflow's ``UserComponent``)."""

    REALTIME_UPDATABLE = False

    def update(self, *args: Any, **kwargs: Any) -> None:
        """A component without updates (``Error``, ``PythonCode``) warns and stays as it
        is, as in Metaflow: a live card never fails the step."""
        from runtime_shim.cards.collector import card_warning

        card_warning(
            f"Component {type(self).__name__} doesn't have an `update` method implemented "
            "and is not compatible with realtime updates."
        )


class Markdown(UserComponent):
    """Markdown text, rendered by markdown-it-py (CommonMark) with raw HTML disabled.

    HTML written in the text is shown as text, and links whose scheme could run code
    (``javascript:``, ``vbscript:``, ``file:``, non-image ``data:``) are not made links.
    """

    REALTIME_UPDATABLE = True

    def __init__(self, text: str | None = None) -> None:
        self._text = "" if text is None else str(text)

    def update(self, text: str | None = None) -> None:
        self._text = "" if text is None else str(text)

    def render(self) -> str:
        return f"<div class='markdown'>{_markdown().render(self._text)}</div>"


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False})


class Artifact(UserComponent):
    """A value shown as its ``repr`` (truncated like Metaflow's, at 500 characters)."""

    REALTIME_UPDATABLE = True

    def __init__(self, artifact: Any, name: str | None = None, compressed: bool = True):
        self._artifact = artifact
        self._name = name
        self._compressed = compressed

    def update(self, artifact: Any) -> None:
        self._artifact = artifact

    def render(self) -> str:
        text = repr(self._artifact)
        if self._compressed and len(text) > 500:
            text = text[:500] + "..."
        name = f"<span class='name'>{_text(self._name)}</span> " if self._name else ""
        return f"<div class='artifact'>{name}<pre>{_text(text)}</pre></div>"


class Table(UserComponent):
    """Rows of cells; a cell may be a component (rendered) or any value (escaped)."""

    REALTIME_UPDATABLE = True

    def __init__(
        self,
        data: list[list[Any]] | None = None,
        headers: list[str] | None = None,
        disable_updates: bool = False,
    ) -> None:
        self._data = [list(row) for row in (data or [])]
        self._headers = list(headers or [])

    def update(self, data: list[list[Any]] | None = None) -> None:
        self._data = [list(row) for row in (data or [])]

    @classmethod
    def from_dataframe(cls, dataframe: Any, truncate: bool = True) -> Table:
        rows = dataframe.head(100) if truncate else dataframe
        return cls([list(r) for r in rows.itertuples(index=False)], list(dataframe.columns))

    def render(self) -> str:
        head = "".join(f"<th>{_text(h)}</th>" for h in self._headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{render_value(c)}</td>" for c in row) + "</tr>"
            for row in self._data
        )
        thead = f"<thead><tr>{head}</tr></thead>" if head else ""
        return f"<table>{thead}<tbody>{body}</tbody></table>"


class Image(UserComponent):
    """PNG/JPEG/GIF bytes shown inline (a ``data:`` URL); ``label`` is the caption."""

    REALTIME_UPDATABLE = True

    def __init__(self, src: bytes | None = None, label: str | None = None, **kwargs: Any):
        self._src = src
        self._label = label

    def update(self, image: bytes | None = None, label: str | None = None) -> None:
        self._src = image
        if label is not None:
            self._label = label

    @classmethod
    def from_matplotlib(cls, plot: Any, label: str | None = None) -> Image:
        import io

        figure = plot.get_figure() if hasattr(plot, "get_figure") else plot
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return cls(buffer.getvalue(), label=label)

    @classmethod
    def from_pil_image(cls, pilimage: Any, label: str | None = None) -> Image:
        import io

        buffer = io.BytesIO()
        pilimage.save(buffer, format="PNG")
        return cls(buffer.getvalue(), label=label)

    def render(self) -> str:
        caption = f"<figcaption>{_text(self._label)}</figcaption>" if self._label else ""
        if not self._src:
            return f"<figure class='image'>{caption}</figure>"
        mime = image_kind(self._src) or "image/png"
        data = base64.b64encode(self._src).decode("ascii")
        return f"<figure class='image'><img src='data:{mime};base64,{data}'/>{caption}</figure>"


def image_kind(data: bytes) -> str | None:
    """The MIME type of PNG, JPEG, GIF or WebP bytes; None for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:4] == b"GIF8":
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class Error(UserComponent):
    """An exception (or any message) with a title, shown as a formatted traceback."""

    def __init__(self, exception: Any, title: str | None = None) -> None:
        self._exception = exception
        self._title = title

    def render(self) -> str:
        import traceback

        if isinstance(self._exception, BaseException):
            text = "".join(traceback.format_exception(self._exception))
        else:
            text = str(self._exception)
        title = f"<h3>{_text(self._title)}</h3>" if self._title else ""
        return f"<div class='error'>{title}<pre>{_text(text)}</pre></div>"


class VegaChart(UserComponent):
    """A Vega or Vega-Lite specification, drawn by the vega-embed bundled into the card."""

    REALTIME_UPDATABLE = True

    def __init__(self, spec: dict[str, Any], show_controls: bool = False) -> None:
        self._spec = spec
        self._show_controls = show_controls

    def update(self, spec: dict[str, Any] | None = None) -> None:
        if spec is not None:
            self._spec = spec

    @classmethod
    def from_altair_chart(cls, altair_chart: Any) -> VegaChart:
        return cls(altair_chart.to_dict())

    def render(self) -> str:
        spec = json.dumps(self._spec, sort_keys=True, default=str)
        controls = " data-controls" if self._show_controls else ""
        return f"<div class='vega-chart' data-spec='{_text(spec)}'{controls}></div>"


class ProgressBar(UserComponent):
    """A progress bar: ``value`` of ``max``, with a label and a unit."""

    REALTIME_UPDATABLE = True

    def __init__(
        self,
        max: float = 100,
        label: str | None = None,
        value: float = 0,
        unit: str | None = None,
        metadata: str | None = None,
    ) -> None:
        self._max, self._label, self._value = max, label, value
        self._unit, self._metadata = unit, metadata

    def update(self, new_value: float, metadata: str | None = None) -> None:
        self._value = new_value
        if metadata is not None:
            self._metadata = metadata

    def render(self) -> str:
        label = f"<label>{_text(self._label)}</label>" if self._label else ""
        unit = f" {_text(self._unit)}" if self._unit else ""
        note = f"<span class='meta'>{_text(self._metadata)}</span>" if self._metadata else ""
        return (
            f"<div class='progress'>{label}<progress value='{_text(self._value)}' "
            f"max='{_text(self._max)}'></progress>{_text(self._value)}/{_text(self._max)}"
            f"{unit}{note}</div>"
        )


class ValueBox(UserComponent):
    """A headline number or text with an optional subtitle."""

    REALTIME_UPDATABLE = True

    def __init__(self, title: str | None = None, value: Any = "", subtitle: str | None = None):
        self._title, self._value, self._subtitle = title, value, subtitle

    def update(self, value: Any = None, **kwargs: Any) -> None:
        if value is not None:
            self._value = value
        self._title = kwargs.get("title", self._title)
        self._subtitle = kwargs.get("subtitle", self._subtitle)

    def render(self) -> str:
        title = f"<h4>{_text(self._title)}</h4>" if self._title else ""
        sub = f"<p>{_text(self._subtitle)}</p>" if self._subtitle else ""
        return f"<div class='value-box'>{title}<strong>{_text(self._value)}</strong>{sub}</div>"


class PythonCode(UserComponent):
    """Source code shown verbatim (a function's source, or a string)."""

    def __init__(self, code_func: Any = None, code_string: str | None = None) -> None:
        if code_string is None and code_func is not None:
            import inspect

            code_string = inspect.getsource(code_func)
        self._code = code_string or ""

    def render(self) -> str:
        return f"<pre class='python-code'><code>{_text(self._code)}</code></pre>"


class JSONViewer(UserComponent):
    """A JSON-serialisable value, pretty-printed."""

    REALTIME_UPDATABLE = True

    def __init__(self, data: Any, collapsible: bool = True, max_height: str = "400px", **kw: Any):
        self._data = data

    def update(self, data: Any) -> None:
        self._data = data

    def render(self) -> str:
        text = json.dumps(self._data, indent=2, sort_keys=True, default=str)
        return f"<pre class='json'>{_text(text)}</pre>"


class YAMLViewer(JSONViewer):
    """A value shown as YAML when PyYAML is installed (JSON otherwise)."""

    def render(self) -> str:
        try:
            import yaml
        except ImportError:
            return super().render()
        return f"<pre class='yaml'>{_text(yaml.safe_dump(self._data, sort_keys=True))}</pre>"


class EventsTimeline(UserComponent):
    """A list of events (dicts), newest first."""

    REALTIME_UPDATABLE = True

    def __init__(self, title: str | None = None, max_events: int = 100, **kwargs: Any) -> None:
        self._title = title
        self._max = max_events
        self._events: list[dict[str, Any]] = []

    def update(self, event: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if event is not None:
            self._events.insert(0, dict(event))
            del self._events[self._max :]

    def render(self) -> str:
        title = f"<h4>{_text(self._title)}</h4>" if self._title else ""
        rows = "".join(f"<li>{_text(json.dumps(e, default=str))}</li>" for e in self._events)
        return f"<div class='timeline'>{title}<ul>{rows}</ul></div>"


def failed_component(component: MetaflowCardComponent, reason: str) -> str:
    """What a component that failed to render shows instead (the reason escaped)."""
    name = _text(type(component).__name__)
    return f"<div class='error'><h4>{name} failed to render</h4><pre>{_text(reason)}</pre></div>"


def placed(component: MetaflowCardComponent, markup: str) -> str:
    """``markup`` inside an element naming the component's id (for live updates)."""
    component_id = component.component_id
    if component_id is None:
        return markup
    return f"<div class='component' data-component-id='{_text(component_id)}'>{markup}</div>"


class SectionComponent(MetaflowCardComponent):
    """Components grouped under an optional title (what a card's body is made of)."""

    def __init__(self, title: str | None = None, contents: list[Any] | None = None) -> None:
        self._title = title
        self._contents = list(contents or [])

    def render(self) -> str:
        title = f"<h2>{_text(self._title)}</h2>" if self._title else ""
        body = "".join(c if isinstance(c, str) else render_value(c) for c in self._contents)
        return f"<section>{title}{body}</section>"


class StubComponent(MetaflowCardComponent):
    """Stands in for a component looked up by an id nobody added (renders nothing)."""

    def __init__(self, component_id: str) -> None:
        self._stub_id = component_id

    def update(self, *args: Any, **kwargs: Any) -> None:
        return None

    def render(self) -> None:
        return None


class WarningComponent(MetaflowCardComponent):
    """A ``[@card WARNING]`` note the collector adds to a card (unless warnings are off)."""

    def __init__(self, message: str) -> None:
        self._message = message

    def render(self) -> str:
        message = _text(self._message)
        return f"<div class='card-warning'><h4>@card WARNING</h4><pre>{message}</pre></div>"
