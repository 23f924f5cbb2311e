"""Components render to HTML and escape every value a flow gives them."""

from __future__ import annotations

import pytest

from runtime_shim.cards import components as c


def test_values_are_escaped_and_structure_is_markup() -> None:
    assert (
        c.Markdown("## A & <b>").render()
        == "<div class='markdown'><h2>A &amp; &lt;b&gt;</h2>\n</div>"
    )
    assert "<li><code>x&lt;y</code></li>" in c.Markdown("- `x<y`\n- two").render()
    assert "<pre>&#x27;&lt;tag&gt;&#x27;</pre>" in c.Artifact("<tag>").render()
    table = c.Table([[c.Markdown("*m*"), "<td>"]], headers=["a"]).render()
    assert "<em>m</em>" in table and "<td>&lt;td&gt;</td>" in table
    assert "&lt;script&gt;" in c.Error(ValueError("<script>"), title="t").render()
    assert "&quot;mark&quot;" in c.VegaChart({"mark": "bar"}).render()


def test_update_changes_what_is_rendered() -> None:
    bar = c.ProgressBar(max=10, label="steps")
    bar.update(4)
    assert "value='4'" in bar.render() and "4/10" in bar.render()
    text = c.Markdown("old")
    text.update("new")
    assert "new" in text.render() and "old" not in text.render()


def test_image_bytes_become_a_data_url() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 8
    assert "src='data:image/png;base64,iVBORw0KGgo" in c.Image(png, label="<l>").render()
    assert "&lt;l&gt;" in c.Image(png, label="<l>").render()


def test_no_component_turns_a_hostile_string_into_markup() -> None:
    """Every component, given the hostile string wherever it takes text, shows it as text:
    parsed back, the page has no element with an event handler and no javascript: link."""
    from html.parser import HTMLParser

    hostile = "<img src=x onerror=alert(1)>"
    link = "[x](javascript:alert(1)) <a href='javascript:alert(1)'>y</a>"
    rendered = [
        c.Markdown(f"# {hostile}\n\n{link}\n\n- {hostile}"),
        c.Table([[hostile, c.Markdown(hostile)]], headers=[hostile, hostile]),
        c.Artifact(hostile, name=hostile),
        c.Image(b"\x89PNG\r\n\x1a\n", label=hostile),
        c.Error(ValueError(hostile), title=hostile),
        c.VegaChart({"title": hostile, "mark": "bar"}),
        c.ProgressBar(max=3, label=hostile, value=1, unit=hostile, metadata=hostile),
        c.ValueBox(title=hostile, value=hostile, subtitle=hostile),
        c.PythonCode(code_string=hostile),
        c.JSONViewer({hostile: hostile}),
        c.YAMLViewer({hostile: [hostile]}),
    ]
    timeline = c.EventsTimeline(title=hostile)
    timeline.update({"event": hostile})
    rendered.append(timeline)

    class Elements(HTMLParser):
        found: list[tuple[str, dict[str, str | None]]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.found.append((tag, dict(attrs)))

    for component in rendered:
        parser = Elements()
        parser.found = []
        parser.feed(component.render())
        for tag, attrs in parser.found:
            assert not any(name.startswith("on") for name in attrs), (component, tag, attrs)
            assert tag not in ("script", "a") or "javascript:" not in str(attrs.get("href"))
            assert not (tag == "img" and attrs.get("src") == "x"), component


def test_a_component_that_fails_shows_why_in_its_place() -> None:
    from runtime_shim.cards.collector import CardComponentCollector

    collector = CardComponentCollector([{"type": "blank"}])
    collector.append(c.Table([[1]], headers=["a"]))
    broken = c.Markdown("x")
    broken._text = None  # type: ignore[assignment]  # markdown-it raises on None
    collector.append(broken)
    (section,) = collector.slots[0].serialized_components()
    assert "<table>" in section
    assert "Markdown failed to render" in section and "Traceback" in section


def test_updating_a_component_without_updates_warns_and_keeps_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = c.PythonCode(code_string="x = 1")
    code.update("y = 2")
    assert "x = 1" in code.render()
    assert "PythonCode doesn't have an `update` method" in capsys.readouterr().err
