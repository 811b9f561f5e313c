"""A single self-contained HTML page of migration progress, for a CI artifact.

Everything is inline (CSS, SVG, a few lines of script for sorting), so the page works offline
and from any artifact store. The charts are SVG drawn here, so they show even with scripts off.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from pymigrate.analyze.model import Status
from pymigrate.analyze.reports import history as history_chart
from pymigrate.analyze.reports.escape import shown
from pymigrate.analyze.reports.markdown import blocker_counts
from pymigrate.analyze.rules import RULES

if TYPE_CHECKING:
    from pymigrate.analyze import AnalysisReport, ModuleAnalysis
    from pymigrate.analyze.reports.history import HistoryPoint

_CSS = """
:root { --ready:#2e9e5b; --inferable:#e0a526; --blocked:#d0473b; --ink:#1d2330; --muted:#667085;
        --line:#e3e6ec; --bg:#f7f8fa; --accent:#3564d4; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--ink);
       background:var(--bg); }
main { max-width: 1040px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 0 0 12px; }
.sub { color: var(--muted); margin: 0 0 20px; }
.card { background:#fff; border:1px solid var(--line); border-radius:10px; padding:18px 20px; margin:0 0 18px; }
.summary { display:grid; grid-template-columns: 200px 1fr; gap: 24px; align-items:center; }
.score { font-size:52px; font-weight:700; line-height:1; } .score small { font-size:18px; color:var(--muted); }
.delta { margin-top:6px; font-weight:600; } .delta.up { color:var(--ready); } .delta.down { color:var(--blocked); }
.delta.same { color:var(--muted); }
.stack { display:flex; height:22px; border-radius:6px; overflow:hidden; background:var(--line); margin:4px 0 4px; }
.stack span { display:block; height:100%; }
.ready { background:var(--ready); } .inferable { background:var(--inferable); } .blocked { background:var(--blocked); }
.legend { color:var(--muted); font-size:13px; margin-bottom:10px; }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin:0 4px 0 10px; }
.legend i:first-child { margin-left:0; }
table { width:100%; border-collapse:collapse; font-size:14px; }
th, td { text-align:left; padding:7px 8px; border-bottom:1px solid var(--line); vertical-align:middle; }
th { font-weight:600; color:var(--muted); cursor:pointer; user-select:none; white-space:nowrap; }
th[aria-sort="ascending"]::after { content:" \\25B2"; } th[aria-sort="descending"]::after { content:" \\25BC"; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
td.path { font-family: ui-monospace,SFMono-Regular,Menlo,monospace; font-size:13px; min-width:220px;
          overflow-wrap:anywhere; }
.bar { width:120px; height:8px; background:var(--line); border-radius:4px; overflow:hidden; display:inline-block;
       vertical-align:middle; margin-left:8px; }
.bar span { display:block; height:100%; background:var(--accent); }
.error { color:var(--blocked); }
.chart { width:100%; height:auto; }
.chart .grid { stroke:var(--line); } .chart .tick, .chart .label { fill:var(--muted); font-size:11px; }
.chart .line { fill:none; stroke:var(--accent); stroke-width:2.5; }
.chart .point { fill:#fff; stroke:var(--accent); stroke-width:2; } .chart .point.now { fill:var(--accent); }
.chart .absent { fill:var(--muted); font-size:18px; }
.note { color:var(--muted); font-size:13px; margin:8px 0 0; }
code { font-family: ui-monospace,SFMono-Regular,Menlo,monospace; }
"""

# Sorting by column header; numbers sort as numbers. The page is complete without it.
_JS = """
(function () {
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, column) {
      th.addEventListener("click", function () {
        var down = th.getAttribute("aria-sort") === "ascending";
        table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", down ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].dataset.value || a.cells[column].textContent;
          var y = b.cells[column].dataset.value || b.cells[column].textContent;
          var nx = parseFloat(x), ny = parseFloat(y);
          var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return down ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  document.documentElement.setAttribute("data-pm-ready", "1");
})();
"""


def _counts(items: Iterable[Any], statuses: Sequence[str]) -> dict[str, int]:
    counter = Counter(item.status for item in items)
    return {status: counter.get(status, 0) for status in statuses}


def _stack(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    if total == 0:
        return '<div class="stack"></div>'
    spans = "".join(
        f'<span class="{status}" style="width:{100 * n / total:.2f}%" title="{status}: {n}"></span>'
        for status, n in counts.items()
        if n
    )
    return f'<div class="stack">{spans}</div>'


def _legend(counts: dict[str, int], noun: str) -> str:
    items = "".join(f'<i class="{status}"></i>{n} {status}' for status, n in counts.items())
    total = sum(counts.values())
    return f'<div class="legend"><strong>{total} {noun}</strong>: {items}</div>'


def _delta(score: float, baseline_score: float | None) -> str:
    if baseline_score is None:
        return ""
    change = score - baseline_score
    kind = "up" if change > 0.05 else "down" if change < -0.05 else "same"
    return f'<div class="delta {kind}">{change:+.1f} against the baseline ({baseline_score:.1f})</div>'


def _module_row(module: ModuleAnalysis) -> str:
    fn = _counts(module.functions, (Status.READY, Status.INFERABLE, Status.BLOCKED))
    cls = _counts(module.classes, (Status.READY, Status.BLOCKED))
    if module.error:
        score_cell = (
            f'<td class="num" data-value="-1"><span class="error" title="{escape(module.error)}">'
            "not analyzed</span></td>"
        )
    elif module.test:
        score_cell = (
            '<td class="num" data-value="-1"><span title="a test module is never upgraded">'
            "test, not scored</span></td>"
        )
    else:
        score_cell = (
            f'<td class="num" data-value="{module.score:.2f}">{module.score:.1f}'
            f'<span class="bar"><span style="width:{module.score:.2f}%"></span></span></td>'
        )
    cells = [
        f'<td class="path">{escape(module.path)}</td>',
        score_cell,
        *(f'<td class="num">{fn[s]}</td>' for s in (Status.READY, Status.INFERABLE, Status.BLOCKED)),
        *(f'<td class="num">{cls[s]}</td>' for s in (Status.READY, Status.BLOCKED)),
        f'<td class="num">{len(module.findings)}</td>',
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _error_line(error: dict[str, Any]) -> str:
    """`path: message`, without saying the path twice when the message starts with it."""
    path, message = str(error.get("path", "")), str(error.get("message", ""))
    if path and message.startswith(path):
        return f"<code>{escape(path)}</code>{escape(message[len(path):])}"
    return f"<code>{escape(path)}</code>: {escape(message)}"


def render(
    report: AnalysisReport,
    *,
    title: str = "package",
    history: Sequence[HistoryPoint] = (),
    baseline_score: float | None = None,
    rules_url: str | None = None,
    **_opts: object,
) -> str:
    """The page. `rules_url`, when given, links each blocker code to `<rules_url>/<CODE>.md`."""
    functions, classes = report.functions, report.classes
    fn_counts = _counts(functions, (Status.READY, Status.INFERABLE, Status.BLOCKED))
    cls_counts = _counts(classes, (Status.READY, Status.BLOCKED))
    rows = "".join(_module_row(m) for m in sorted(report.files, key=lambda m: m.path))
    blockers = blocker_counts(report)
    blocker_rows = "".join(
        "<tr><td>"
        + (
            f'<a href="{escape(rules_url.rstrip("/"))}/{escape(code)}.md"><code>{escape(code)}</code></a>'
            if rules_url
            else f"<code>{escape(code)}</code>"
        )
        + f'</td><td>{escape(RULES[code].name) if code in RULES else ""}</td><td class="num">{count}</td></tr>'
        for code, count in blockers[:15]
    )
    errors = "".join(f"<li>{_error_line(e)}</li>" for e in report.errors)
    if history:
        chart_note = f"Package score at each of the last {len(history)} commits, then the working tree."
    else:
        chart_note = (
            "Only the working tree so far: run with <code>--history N</code> to chart the last N commits."
        )
    sections = [
        '<section class="card summary" id="readiness">'
        f'<div><div class="score">{report.score:.1f}<small>/100</small></div>'
        f"{_delta(report.score, baseline_score)}</div>"
        f"<div>{_legend(fn_counts, 'functions')}{_stack(fn_counts)}"
        f"{_legend(cls_counts, 'classes')}{_stack(cls_counts)}</div></section>",
        '<section class="card" id="progress"><h2>Progress</h2>'
        f'{history_chart.render(report, history=history)}<p class="note">{chart_note}</p></section>',
        '<section class="card" id="modules"><h2>Modules</h2>'
        '<table class="sortable"><thead><tr><th>Module</th><th class="num">Score</th>'
        '<th class="num">fn ready</th><th class="num">inferable</th><th class="num">blocked</th>'
        '<th class="num">struct ready</th><th class="num">blocked</th><th class="num">findings</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></section>",
    ]
    if blockers:
        sections.append(
            '<section class="card" id="blockers"><h2>Top blockers</h2>'
            '<table class="sortable"><thead><tr><th>Code</th><th>Rule</th><th class="num">Units blocked</th></tr></thead>'
            f"<tbody>{blocker_rows}</tbody></table></section>"
        )
    if errors:
        sections.append(
            f'<section class="card" id="errors"><h2>Files not analyzed</h2><ul class="error">{errors}</ul></section>'
        )
    return shown(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Migration readiness: {escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><main><h1>Migration readiness</h1>"
        f'<p class="sub"><code>{escape(title)}</code> · {len(report.files)} files · '
        f"{len(functions)} functions · {len(classes)} classes</p>"
        + "".join(sections)
        + f"</main><script>{_JS}</script></body></html>\n"
    )
