"""The viewer's stylesheet and script, served from ``/static/`` (pages carry no inline
script: their content policy allows scripts from the viewer's own origin only)."""

from __future__ import annotations

from flowc.ui._pages import STATUS_COLOURS


def stylesheet() -> str:
    # Step boxes take their colours from here: a stylesheet rule wins over the fill the
    # SVG draws, so the script recolours a step by changing its class.
    colours = "".join(
        f".status-{name}{{background:{fill};border-color:{stroke}}}"
        f"g.status-{name} rect{{fill:{fill};stroke:{stroke}}}"
        f".row-{name} i{{background:{fill};border-color:{stroke}}}"
        f".row-{name} td:nth-child(2){{color:{stroke}}}"
        for name, (fill, stroke) in STATUS_COLOURS.items()
    )
    return (
        "body{font-family:system-ui,sans-serif;margin:1.5em 2em;color:#1a202c}"
        "a{color:#2b6cb0}h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}"
        ".crumbs{font-size:.9em;margin-bottom:.5em}"
        "table{border-collapse:collapse}td,th{border:1px solid #e2e8f0;padding:3px 8px;"
        "text-align:left;vertical-align:top}td.num{text-align:right}"
        "pre{white-space:pre-wrap;margin:0;font-size:.9em}"
        ".log{background:#f7fafc;border:1px solid #e2e8f0;padding:.5em;max-height:30em;"
        "overflow:auto}"
        ".status{border:1px solid;border-radius:3px;padding:0 .4em;font-size:.9em}"
        ".legend-item{margin-right:1em;font-size:.9em}"
        ".swatch{display:inline-block;width:1em;height:1em;border:1px solid;"
        "vertical-align:middle;margin-right:.3em}"
        "#dag svg text{font:12px sans-serif}"
        # Fixed layout: the columns' widths come from the header, so a thousand rows
        # need no measuring pass over all their cells.
        "table.tasks{width:100%;table-layout:fixed}table.tasks th{width:12%}"
        "table.tasks th:first-child{width:26%}th.timeline{width:50%}"
        "#tasks i{display:block;height:.8em;border:1px solid;border-radius:2px}"
        # A thousand-task run: rows off screen are not laid out until scrolled to.
        "#tasks tbody tr{content-visibility:auto;contain-intrinsic-size:auto 1.6em}"
        ".card-frame{width:100%;height:640px;border:1px solid #e2e8f0}"
        ".empty{color:#718096}.error{color:#c53030}" + colours
    )


# Follows a running run: polls the run's JSON every data-poll-ms and swaps in the new
# status, step classes and task rows (rendered and escaped by the server) until the run
# has ended. A running task's page polls the task's status and reloads once it changes
# (its artifacts and logs exist only then; its cards update themselves meanwhile).
SCRIPT = """(function(){
var task=document.getElementById('task');
if(task){var tapi=task.getAttribute('data-api'),tevery=+task.getAttribute('data-poll-ms')||1000;
var tpoll=function(){if(task.getAttribute('data-status')!=='running')return;
fetch(tapi,{cache:'no-store'}).then(function(r){return r.json();}).then(function(t){
if(t.status!==task.getAttribute('data-status')){location.reload();return;}
setTimeout(tpoll,tevery);}).catch(function(){setTimeout(tpoll,tevery*2);});};
setTimeout(tpoll,tevery);}
var root=document.getElementById('run');
if(!root)return;
var api=root.getAttribute('data-api'),every=+root.getAttribute('data-poll-ms')||1000;
function badge(el,status){el.textContent='';var s=document.createElement('span');
s.className='status status-'+status;s.textContent=status;el.appendChild(s);}
function apply(run){
root.setAttribute('data-status',run.status);
badge(document.getElementById('run-status'),run.status);
document.getElementById('run-duration').textContent=run.duration_text;
document.getElementById('task-counts').textContent=run.counts_text;
document.querySelectorAll('#dag g.step').forEach(function(g){
var st=run.steps[g.getAttribute('data-step')];if(!st)return;
g.setAttribute('class','step status-'+st);});
var body=document.querySelector('#tasks tbody');
if(body&&body.getAttribute('data-version')!==run.version){
body.innerHTML=run.tasks_html;body.setAttribute('data-version',run.version);}
}
function poll(){
if(root.getAttribute('data-status')!=='running')return;
fetch(api,{cache:'no-store'}).then(function(r){return r.json();}).then(function(run){
apply(run);setTimeout(poll,every);}).catch(function(){setTimeout(poll,every*2);});
}
setTimeout(poll,every);
})();
"""
