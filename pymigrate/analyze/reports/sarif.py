"""`--format sarif`: SARIF 2.1.0, for code-scanning UIs.

One run; every catalogue rule is listed under the driver (with a link to its doc page when a
base URL is given), each finding is a result, and files that could not be analyzed are
tool execution notifications, so the run still counts as successful.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes

from pymigrate import __version__
from pymigrate.analyze.model import AnalysisReport
from pymigrate.analyze.reports.escape import json_text
from pymigrate.analyze.rules import RULES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    p = Path(path)
    if p.is_absolute():
        return p.as_uri()
    return quote_from_bytes(os.fsencode(p.as_posix()))  # a relative URI reference, percent-encoded


def render(report: AnalysisReport, *, rules_url: str | None = None, **opts: Any) -> str:
    codes = sorted(RULES)
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        rule = RULES[code]
        entry: dict[str, Any] = {
            "id": code,
            "name": rule.name,
            "shortDescription": {"text": rule.message.replace("{", "").replace("}", "")},
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
            "properties": {"family": rule.family},
        }
        if rules_url:
            entry["helpUri"] = f"{rules_url.rstrip('/')}/{code}.md"
        rules.append(entry)
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVELS[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.path)},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
        }
        for f in report.findings
    ]
    notifications = [
        {
            "level": "error",
            "message": {"text": e["message"]},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(e["path"])}}}],
        }
        for e in report.errors
    ]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pymigrate",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {"executionSuccessful": True, "toolExecutionNotifications": notifications}
                ],
                "results": results,
                "properties": {"score": round(report.score, 2)},
            }
        ],
    }
    return json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
