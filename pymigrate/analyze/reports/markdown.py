"""`--format markdown`: a pull-request comment or CI job summary (GitHub-flavoured Markdown)."""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Any

from pymigrate.analyze.model import AnalysisReport, Finding, Status, summary_counts
from pymigrate.analyze.reports.escape import md_code, md_message, md_text, shown
from pymigrate.analyze.rules import RULES

MAX_FINDINGS_PER_FILE = 50


def blocker_counts(report: AnalysisReport) -> list[tuple[str, int]]:
    """Blocker codes by how many functions and classes each one blocks, most first."""
    counter: Counter[str] = Counter()
    for unit in report.units:
        if unit.status != Status.READY:
            counter.update({b.code for b in unit.blockers})
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def render(report: AnalysisReport, *, rules_url: str | None = None, **opts: Any) -> str:
    counts = summary_counts(report)
    lines = [
        "## pymigrate readiness",
        "",
        f"**Score: {report.score:.1f} / 100** over {counts['files']} files"
        + (f" ({counts['errors']} could not be analyzed)" if counts["errors"] else "")
        + (f"; {counts['test_files']} test modules are not scored" if counts["test_files"] else ""),
        "",
        "| | ready | inferable | blocked | total |",
        "|---|---:|---:|---:|---:|",
        f"| functions | {counts['functions_ready']} | {counts['functions_inferable']} | "
        f"{counts['functions_blocked']} | {counts['functions']} |",
        f"| classes | {counts['classes_ready']} | - | {counts['classes_blocked']} | {counts['classes']} |",
        "",
    ]
    top = blocker_counts(report)
    if top:
        lines += ["### What blocks the most", "", "| code | rule | units blocked |", "|---|---|---:|"]
        for code, n in top[:10]:
            link = f"[{code}]({rules_url.rstrip('/')}/{code}.md)" if rules_url else f"`{code}`"
            lines.append(f"| {link} | {RULES[code].name} | {n} |")
        lines.append("")
    analyzed = [m for m in report.files if m.error is None]
    scored = [m for m in analyzed if not m.test]
    if scored:
        lines += ["### Files", "", "| file | score | ready | inferable | blocked | findings |",
                  "|---|---:|---:|---:|---:|---:|"]
        for m in scored:
            units = m.units
            lines.append(
                f"| {md_code(m.path)} | {m.score:.1f} | {sum(u.status == 'ready' for u in units)} | "
                f"{sum(u.status == 'inferable' for u in units)} | {sum(u.status == 'blocked' for u in units)} | "
                f"{len(m.findings)} |"
            )
        lines.append("")
    for m in analyzed:
        if not m.findings:
            continue
        lines += [f"<details><summary><code>{escape(shown(m.path))}</code>: {len(m.findings)} findings</summary>", ""]
        lines += [_finding(f) for f in m.findings[:MAX_FINDINGS_PER_FILE]]
        if len(m.findings) > MAX_FINDINGS_PER_FILE:
            lines.append(f"- ... and {len(m.findings) - MAX_FINDINGS_PER_FILE} more")
        lines += ["", "</details>", ""]
    if report.errors:
        lines += ["### Files that could not be analyzed", ""]
        lines += [f"- {md_code(e['path'])}: {md_text(e['message'])}" for e in report.errors]
        lines.append("")
    return "\n".join(lines)


def _finding(f: Finding) -> str:
    return f"- `{f.line}:{f.column}` **{f.code}** {md_message(f.message)}"
