"""The default card's contents: hostile strings everywhere a user string is shown, a
DataFrame, image bytes, a PIL image, a chart, and live refreshes while the step runs."""

import io

import pandas as pd
from metaflow import FlowSpec, Parameter, card, current, step
from metaflow.cards import Markdown, Table, VegaChart, get_cards
from PIL import Image as PILImage

HOSTILE = "<img src=x onerror=alert(1)>"


def _png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (3, 2), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


class CardContentsFlow(FlowSpec):
    label = Parameter("label", default=HOSTILE)

    @card(refresh_interval=0)
    @step
    def start(self):
        self.hostile = HOSTILE
        self.frame = pd.DataFrame({"name": [HOSTILE, "b"], "n": [1, 2]})
        self.png = _png()
        self.picture = PILImage.new("RGB", (2, 2), (0, 0, 255))
        current.card.append(Markdown(f"# Report\n\n{HOSTILE} [x](javascript:alert(1))"))
        current.card.append(Table([[HOSTILE, 1]], headers=["cell", "n"]))
        progress = Markdown("step 0")
        current.card.append(progress, id="progress")
        current.card.refresh()
        progress.update("step 1")
        current.card.refresh()
        current.card.append(VegaChart({"mark": "bar", "data": {"values": [{"a": 1}]}}))
        progress.update("step 2")
        current.card.refresh()
        # The live card as a viewer sees it while the task runs.
        (live,) = get_cards(current.pathspec, type="default")
        page, data = live.get(), live.get_data()
        self.live_seen = {
            "polls": "<meta name='flowc-card-data' content='" in page,
            "token_matches": f"content='{data['reload_token']}'" in page,
            "render_seq": data["render_seq"],
            "progress": data["components"]["progress"],
            "still_running": "Artifacts are shown when the task finishes." in page,
        }
        self.next(self.end)

    @card(type="html")
    @step
    def end(self):
        self.html = "<h1>Made by the flow</h1><script>parent.document.title = 'owned'</script>"


if __name__ == "__main__":
    CardContentsFlow()
