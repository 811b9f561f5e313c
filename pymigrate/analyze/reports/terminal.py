"""The default view: a package summary, then each file's findings (rich, for a person at a terminal)."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pymigrate.analyze.model import AnalysisReport, Status, summary_counts
from pymigrate.analyze.reports.escape import shown
from pymigrate.analyze.reports.markdown import blocker_counts
from pymigrate.analyze.rules import RULES

STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}
STATUS_STYLES = {Status.READY: "green", Status.INFERABLE: "cyan", Status.BLOCKED: "red"}


def render(report: AnalysisReport, *, color: bool = False, width: int = 100, **opts: Any) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    show(report, console)
    return buffer.getvalue()


def show(report: AnalysisReport, console: Console) -> None:
    counts = summary_counts(report)
    summary = Table(title=f"pymigrate readiness: {report.score:.1f} / 100", title_justify="left")
    summary.add_column("")
    for status in (Status.READY, Status.INFERABLE, Status.BLOCKED):
        summary.add_column(status, justify="right", style=STATUS_STYLES[status])
    summary.add_column("total", justify="right")
    summary.add_row("functions", str(counts["functions_ready"]), str(counts["functions_inferable"]),
                    str(counts["functions_blocked"]), str(counts["functions"]))
    summary.add_row("classes", str(counts["classes_ready"]), "-", str(counts["classes_blocked"]),
                    str(counts["classes"]))
    console.print(summary)
    tests = f" (and {counts['test_files']} test modules, not scored)" if counts["test_files"] else ""
    console.print(f"{counts['files']} files analyzed{tests}, {counts['errors']} could not be, "
                  f"{counts['findings']} findings")
    top = blocker_counts(report)
    if top:
        console.print(Text("Top blockers: ", style="bold") + Text(", ".join(
            f"{code} {RULES[code].name} ({n})" for code, n in top[:5])))
    for m in report.files:
        if m.error is not None:
            continue
        if not m.findings:
            continue
        console.print()
        units = m.units
        ready = sum(u.status == Status.READY for u in units)
        about = "test module, not scored" if m.test else f"score {m.score:.1f}, {ready}/{len(units)} ready"
        console.print(Text(shown(m.path), style="bold") + Text(f"  {about}"))
        for f in m.findings:
            line = Text(f"  {f.line}:{f.column} ")
            line.append(f.code, style=STYLES[f.severity])
            line.append(" " + f.message)
            console.print(line, overflow="fold")
    if report.errors:
        console.print()
        console.print(Text("Could not analyze:", style="bold red"))
        for e in report.errors:
            console.print(Text(f"  {e['message']}"), overflow="fold")
