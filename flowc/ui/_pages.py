"""The viewer's pages: server-side HTML in which every string from a flow is escaped.

Names, artifact values, logs and tags are user data; each passes through ``esc``
(``html.escape`` with quotes) before it reaches a page, and the run page's script updates
text with ``textContent`` only. A card is user HTML too: it is shown in a sandboxed frame
(scripts run, but in an origin of their own, so a card cannot reach the page around it)
from its own URL, under its own content policy (``runtime_shim.cards.page``), never
inlined.
"""

from __future__ import annotations

import html
import time
from typing import Any
from urllib.parse import quote

from flowc.ui._model import RunSummary, TaskSummary

# Fill and outline of a DAG box for each task status (the legend shows the same).
STATUS_COLOURS = {
    "succeeded": ("#c6f6d5", "#2f855a"),
    "caught": ("#fefcbf", "#b7791f"),
    "failed": ("#fed7d7", "#c53030"),
    "running": ("#bee3f8", "#2b6cb0"),
    "pending": ("#edf2f7", "#a0aec0"),
}


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def url(*parts: str) -> str:
    """A path under the viewer's root; each part is percent-encoded."""
    return "/" + "/".join(quote(p, safe="") for p in parts)


def page(title: str, body: str, *, crumbs: list[tuple[str, str]] | None = None) -> str:
    trail = " / ".join(f"<a href='{esc(href)}'>{esc(text)}</a>" for text, href in crumbs or [])
    nav = f"<nav class='crumbs'><a href='/'>flows</a>{' / ' + trail if trail else ''}</nav>"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{esc(title)} · flowc</title>"
        "<link rel='stylesheet' href='/static/ui.css'>"
        "<script src='/static/ui.js' defer></script></head>"
        f"<body>{nav}<h1>{esc(title)}</h1>{body}</body></html>"
    )


def when(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def status_badge(status: str) -> str:
    return f"<span class='status status-{esc(status)}'>{esc(status)}</span>"


def flows_page(flows: list[tuple[str, list[RunSummary]]]) -> str:
    if not flows:
        return page("Flows", "<p class='empty'>This datastore has no runs yet.</p>")
    sections = []
    for name, runs in flows:
        sections.append(
            f"<section class='flow' data-flow='{esc(name)}'>"
            f"<h2><a href='{esc(url('flows', name))}'>{esc(name)}</a></h2>"
            f"{runs_table(runs[:10])}"
            + (
                f"<p><a href='{esc(url('flows', name))}'>all {len(runs)} runs</a></p>"
                if len(runs) > 10
                else ""
            )
            + "</section>"
        )
    return page("Flows", "".join(sections))


def flow_page(name: str, runs: list[RunSummary]) -> str:
    return page(name, runs_table(runs), crumbs=[(name, url("flows", name))])


def runs_table(runs: list[RunSummary]) -> str:
    rows = "".join(
        f"<tr data-run='{esc(r.run)}'><td><a href='{esc(url('runs', r.flow, r.run))}'>"
        f"{esc(r.run)}</a></td><td>{status_badge(r.status)}</td>"
        f"<td>{esc(when(r.created))}</td><td class='num'>{esc(duration(r.duration))}</td></tr>"
        for r in runs
    )
    return (
        "<table class='runs'><thead><tr><th>run</th><th>status</th><th>started</th>"
        f"<th>duration</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def run_page(run: RunSummary, poll_ms: int) -> str:
    from runtime_shim.cards.dag import dag_svg

    steps = run.step_status()
    picture = (
        dag_svg(run.graph, "", {n: f"status-{s}" for n, s in steps.items()})
        if run.graph
        else "<p class='empty'>This run has no stored graph.</p>"
    )
    legend = "".join(
        f"<span class='legend-item'><span class='swatch status-{s}'></span>{s}</span>"
        for s in STATUS_COLOURS
    )
    counts = task_counts(run)
    body = (
        f"<div id='run' data-api='{esc(url('api', 'runs', run.flow, run.run))}' "
        f"data-poll-ms='{poll_ms}' data-status='{esc(run.status)}'>"
        f"<p>Status <span id='run-status'>{status_badge(run.status)}</span> · started "
        f"{esc(when(run.created))} · duration <span id='run-duration'>"
        f"{esc(duration(run.duration))}</span> · <span id='task-counts'>{esc(counts)}</span>"
        "</p>"
        f"<h2>Graph</h2><div class='legend'>{legend}</div><div id='dag'>{picture}</div>"
        f"<h2>Tasks</h2>{timeline(run)}</div>"
    )
    return page(
        f"{run.flow}/{run.run}",
        body,
        crumbs=[(run.flow, url("flows", run.flow)), (run.run, url("runs", run.flow, run.run))],
    )


def timeline(run: RunSummary) -> str:
    """A table of the tasks with a bar per task on the run's time axis."""
    rows = task_rows(run)
    return (
        "<table id='tasks' class='tasks'><thead><tr><th>task</th><th>status</th>"
        "<th>duration</th><th class='timeline'>timeline</th></tr></thead>"
        f"<tbody data-version='{esc(run.version())}'>{rows}</tbody></table>"
    )


def task_rows(run: RunSummary) -> str:
    """The task table's rows alone (what the run page's script swaps in)."""
    start, span = time_axis(run)
    return "".join(task_row(run, t, start, span) for t in run.tasks)


def run_update(run: RunSummary) -> dict[str, Any]:
    """The run page's live data: the run's JSON plus the texts and rows it shows."""
    data = run.to_json()
    data.update(
        duration_text=duration(run.duration),
        counts_text=task_counts(run),
        version=run.version(),
        tasks_html=task_rows(run),
    )
    return data


def task_counts(run: RunSummary) -> str:
    return ", ".join(
        f"{sum(1 for t in run.tasks if t.status == s)} {s}"
        for s in STATUS_COLOURS
        if any(t.status == s for t in run.tasks)
    )


def time_axis(run: RunSummary) -> tuple[float, float]:
    starts = [t.started for t in run.tasks if t.started is not None]
    ends = [t.finished or t.started for t in run.tasks if t.started is not None]
    if not starts:
        return 0.0, 1.0
    begin = min(starts)
    end = max([e for e in ends if e is not None] + [begin])
    if any(t.status == "running" for t in run.tasks):
        end = max(end, time.time())
    return begin, max(end - begin, 1e-3)


def task_row(run: RunSummary, task: TaskSummary, start: float, span: float) -> str:
    """One task's row; kept small (end tags HTML lets one omit are omitted), as a
    thousand-task run has a thousand of them."""
    took = None
    if task.started is not None and task.finished is not None:
        took = task.finished - task.started
    bar = ""
    if task.started is not None:
        left = (task.started - start) / span * 100
        end = task.finished if task.finished is not None else start + span
        width = max((end - task.started) / span * 100, 0.3)
        bar = f"<i style='margin-left:{left:.2f}%;width:{width:.2f}%'></i>"
    link = url("tasks", run.flow, run.run, task.step, task.id)
    name = f"{esc(task.step)}/{esc(task.id)}"
    return (
        f"<tr data-task='{name}' class='row-{esc(task.status)}'><td><a href='{esc(link)}'>"
        f"{name}</a><td>{esc(task.status)}<td class=num>{esc(duration(took))}<td>{bar}\n"
    )


def task_page(detail: dict[str, Any], poll_ms: int) -> str:
    flow, run, step, ident = detail["pathspec"].split("/")
    rows = "".join(
        f"<tr data-artifact='{esc(a['name'])}'><th>{esc(a['name'])}</th>"
        f"<td>{esc(a['type'])}</td><td><pre>{esc(a['repr'])}</pre></td></tr>"
        for a in detail["artifacts"]
    )
    artifacts = (
        f"<table class='artifacts'><thead><tr><th>name</th><th>type</th><th>value</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
        if rows
        else "<p class='empty'>No artifacts (the task has not committed).</p>"
    )
    cards = "".join(
        f"<section class='card' data-card-type='{esc(c['type'])}'>"
        f"<h3>{esc(c['type'])}{' · ' + esc(c['id']) if c['id'] else ''} "
        f"<a href='{esc(c['url'])}' target='_blank' rel='noopener'>open</a></h3>"
        f"<iframe class='card-frame' title='{esc(c['type'])} card' sandbox='allow-scripts' "
        f"src='{esc(c['frame_url'])}'>"
        "</iframe></section>"
        for c in detail["cards"]
    )
    if not cards:
        cards = "<p class='empty'>This task has no cards.</p>"
    exception = ""
    if detail.get("exception"):
        exception = f"<h2>Exception</h2><pre class='error'>{esc(detail['exception'])}</pre>"
    api = url("api", "tasks", flow, run, step, ident)
    body = (
        f"<div id='task' data-api='{esc(api)}' data-poll-ms='{poll_ms}' "
        f"data-status='{esc(detail['status'])}'></div>"
        f"<p>Status {status_badge(detail['status'])} · attempt {esc(detail['attempt'])} · "
        f"started {esc(when(detail['started']))} · finished {esc(when(detail['finished']))}</p>"
        f"{exception}<h2>Cards</h2><div id='cards'>{cards}</div>"
        f"<h2>Artifacts</h2>{artifacts}"
        f"<h2>stdout</h2><pre class='log' id='stdout'>{esc(detail['stdout'])}</pre>"
        f"<h2>stderr</h2><pre class='log' id='stderr'>{esc(detail['stderr'])}</pre>"
    )
    return page(
        f"{step}/{ident}",
        body,
        crumbs=[
            (flow, url("flows", flow)),
            (run, url("runs", flow, run)),
            (f"{step}/{ident}", url("tasks", flow, run, step, ident)),
        ],
    )


def not_found_page(message: str) -> str:
    return page("Not found", f"<p class='error'>{esc(message)}</p>")
