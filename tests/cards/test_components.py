"""Components render to HTML and escape every value a flow gives them."""

from __future__ import annotations

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
