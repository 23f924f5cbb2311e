"""A step that refreshes its card while it runs, slowly enough for a browser to watch."""

import os
import time

from metaflow import FlowSpec, card, current, step
from metaflow.cards import Markdown


class LiveCardFlow(FlowSpec):
    @card(refresh_interval=1)
    @step
    def start(self):
        ticks = int(os.environ.get("LIVE_TICKS", "6"))
        counter = Markdown("tick 0")
        current.card.append(counter, id="counter")
        current.card.refresh(force=True)
        for tick in range(1, ticks + 1):
            time.sleep(1)
            counter.update(f"tick {tick}")
            current.card.refresh(force=True)
        self.ticks = ticks
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    LiveCardFlow()
