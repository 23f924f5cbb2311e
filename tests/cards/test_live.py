"""Live cards: ``refresh()`` stores the runtime card and its data, rate-limited.

The collector, the card types and the datastore are the real ones (a local store in a
temporary directory); only the clock is a counter the test moves, so the rate limit
is checked without sleeping. The page's script is checked by node's parser.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from runtime_shim.cards.collector import CardComponentCollector
from runtime_shim.cards.components import Markdown, ProgressBar
from runtime_shim.cards.live import LiveCards, data_filename, poll_script
from runtime_shim.cards.render import FinishedTask, RunningCards, TaskCards, TaskFacts
from runtime_shim.datastore import open_object_store
from runtime_shim.datastore.layout import FlowDatastore

PATHSPEC = "LiveFlow/1/start/start"


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _live(tmp_path: Path, **card: object) -> tuple[CardComponentCollector, Path, _Clock]:
    ds = FlowDatastore(open_object_store(str(tmp_path)), "LiveFlow")
    collector = CardComponentCollector([{"type": "default", **card}])
    clock = _Clock()

    task = FinishedTask(PATHSPEC, {}, ds.load_value, facts=TaskFacts(), finished=False)
    where = TaskCards(ds, "1", "start", "_", 0)
    collector.go_live(LiveCards(where, RunningCards(task, None), clock), PATHSPEC, 0)
    return collector, tmp_path / "LiveFlow/runs/1/start/_/attempt-0/cards", clock


def _data(cards: Path) -> dict[str, object]:
    (found,) = cards.glob("*.data.json")
    data: dict[str, object] = json.loads(found.read_text())
    return data


def test_refresh_is_rate_limited_unless_forced(tmp_path: Path) -> None:
    collector, cards, clock = _live(tmp_path, refresh_interval=5)
    bar = ProgressBar(max=10)
    collector.append(bar, id="bar")
    collector.refresh({"n": 1})
    assert _data(cards)["render_seq"] == 1
    bar.update(3)
    clock.now += 1
    collector.refresh({"n": 2})  # within 5 s: only kept
    assert _data(cards)["render_seq"] == 1
    collector.refresh({"n": 3}, force=True)
    data = _data(cards)
    assert data["render_seq"] == 2 and data["user"] == {"n": 3}
    assert "3/10" in data["components"]["bar"]  # type: ignore[index]
    clock.now += 5
    collector.refresh()
    assert _data(cards)["render_seq"] == 3


def test_the_runtime_card_polls_its_data_and_reloads_on_a_new_layout(tmp_path: Path) -> None:
    collector, cards, _clock = _live(tmp_path, refresh_interval=0)
    collector.append(Markdown("first"), id="text")
    collector.refresh()
    (page,) = cards.glob("*.html")
    first = page.read_text()
    token = _data(cards)["reload_token"]
    assert f"content='{data_filename(page.name)}'" in first
    assert f"name='flowc-card-token' content='{token}'" in first
    assert "data-component-id='text'" in first and "first" in first
    assert "Artifacts are shown when the task finishes." in first
    collector.components["text"].update("second")  # type: ignore[union-attr]
    collector.refresh()
    assert _data(cards)["reload_token"] == token and page.read_text() == first
    collector.append(Markdown("added"), id="more")
    collector.refresh()
    assert _data(cards)["reload_token"] != token and "added" in page.read_text()


@pytest.mark.skipif(shutil.which("node") is None, reason="node is a test tool (setup)")
def test_the_poll_script_parses(tmp_path: Path) -> None:
    script = tmp_path / "poll.js"
    script.write_text(poll_script({"interval_ms": 1000}))
    subprocess.run(["node", "--check", str(script)], check=True)


def test_the_data_holds_what_the_card_types_refresh_returns(tmp_path: Path) -> None:
    collector, cards, _clock = _live(tmp_path, refresh_interval=0)
    collector.append(Markdown("text"), id="text")
    collector.refresh({"arr": [1]})
    data = _data(cards)
    # The default card's refresh() gives its components (as Metaflow's does).
    assert data["data"] == data["components"] and "text" in data["components"]  # type: ignore[operator]
    ds = FlowDatastore(open_object_store(str(tmp_path / "other")), "LiveFlow")
    passthrough = CardComponentCollector([{"type": "test_refresh_card", "id": "r"}])
    task = FinishedTask(PATHSPEC, {}, ds.load_value, finished=False)
    where = TaskCards(ds, "1", "start", "_", 0)
    passthrough.go_live(LiveCards(where, RunningCards(task, None), _Clock()), PATHSPEC, 0)
    passthrough["r"].refresh({"arr": [1, 2]})
    (found,) = (tmp_path / "other").glob("LiveFlow/runs/1/start/_/attempt-0/cards/*.data.json")
    record = json.loads(found.read_text())
    assert record["data"]["user"] == {"arr": [1, 2]}
    # test_refresh_card reloads on every update (RELOAD_POLICY_ALWAYS), as in Metaflow.
    assert record["reload_token"] == "render-seq-1"
    assert {"mode", "component_update_ts", "components", "render_seq"} <= set(record["data"])


# A minimal stand-in for the page around the poll script: the elements it reads and
# writes, fetch answering from a queue, a timer the harness runs by hand.
_POLL_HARNESS = """
const metas = {'flowc-card-data': 'card.data.json', 'flowc-card-token': 'tok-1'};
const el = {id: 'progress', innerHTML: 'old', getAttribute: (n) => 'progress'};
const log = {fetched: [], reloaded: 0};
const answers = JSON.parse(process.argv[3]);
globalThis.location = {href: 'http://viewer.test/cards/card.html', search: '',
                       reload: () => { log.reloaded += 1; }};
globalThis.document = {
  querySelector: (sel) => {
    const name = /name="([^"]+)"/.exec(sel)[1];
    return {getAttribute: () => metas[name]};
  },
  querySelectorAll: () => [el],
};
globalThis.window = globalThis;
globalThis.addEventListener = () => {};
const timers = [];
globalThis.setTimeout = (f) => { timers.push(f); };
globalThis.fetch = (url) => {
  log.fetched.push(String(url));
  const next = answers.shift();
  return Promise.resolve({ok: next !== undefined, json: () => Promise.resolve(next)});
};
(async () => {
  eval(require("fs").readFileSync(process.argv[2], "utf8"));
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setImmediate(r));
    const t = timers.shift();
    if (t) t();
  }
  await new Promise((r) => setImmediate(r));
  console.log(JSON.stringify({...log, html: el.innerHTML}));
})();
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is a test tool (setup)")
def test_the_poll_script_updates_components_and_reloads_on_a_new_token(tmp_path: Path) -> None:
    script = tmp_path / "poll.js"
    script.write_text(poll_script({"interval_ms": 1000}))
    harness = tmp_path / "harness.js"
    harness.write_text(_POLL_HARNESS)
    answers = [
        {"render_seq": 1, "reload_token": "tok-1", "components": {"progress": "step 1"}},
        {"render_seq": 1, "reload_token": "tok-1", "components": {"progress": "stale"}},
        {"render_seq": 2, "reload_token": "final", "components": {"progress": "step 2"}},
    ]
    done = subprocess.run(
        ["node", str(harness), str(script), json.dumps(answers)],
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(done.stdout)
    # The data URL is the meta's name resolved against the card's own URL.
    assert seen["fetched"][0] == "http://viewer.test/cards/card.data.json"
    # seq 1 updated the component, the repeated seq 1 changed nothing, the new token
    # reloaded the page (and polling stopped).
    assert seen["html"] == "step 1" and seen["reloaded"] == 1
    assert len(seen["fetched"]) == 3
