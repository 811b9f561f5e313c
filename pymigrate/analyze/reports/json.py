"""`--format json`: the versioned document of docs/analyze-json.md (validated by schema.json)."""

from __future__ import annotations

import json as _json
from typing import Any

from pymigrate.analyze.model import AnalysisReport
from pymigrate.analyze.reports.escape import json_text


def render(report: AnalysisReport, **opts: Any) -> str:
    return json_text(_json.dumps(report.to_json(), indent=2, ensure_ascii=False)) + "\n"
