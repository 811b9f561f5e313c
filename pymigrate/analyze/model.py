"""The analyzer's results: plain data, picklable (files are analyzed in worker processes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 1


class Status(StrEnum):
    """Readiness of a function or class: a str, so reports and JSON show the plain word."""

    READY = "ready"  # compiles once upgraded to fn/struct
    INFERABLE = "inferable"  # ready once inference inserts the missing annotations (functions only)
    BLOCKED = "blocked"


STATUSES = tuple(Status)
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    code: str
    path: str
    line: int
    column: int  # 1-based, in characters
    message: str
    severity: str  # "error" | "warning" | "info"

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "severity": self.severity,
        }

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)


def _unit_json(path: str, qualname: str, line: int, status: str, blockers: list[Finding]) -> dict[str, Any]:
    codes = sorted({b.code for b in blockers})
    return {"path": path, "qualname": qualname, "line": line, "status": status, "blockers": codes}


@dataclass
class FunctionInfo:
    path: str
    qualname: str
    line: int
    status: Status
    blockers: list[Finding] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)  # functions and methods of the same module it calls
    tier: str = "native"  # "object": the tier rule compiles it in the object tier (its upgrade takes no convention)

    def to_json(self) -> dict[str, Any]:
        return {**_unit_json(self.path, self.qualname, self.line, self.status, self.blockers), "calls": self.calls}


@dataclass
class ClassInfo:
    path: str
    qualname: str
    line: int
    status: Status  # never INFERABLE
    blockers: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return _unit_json(self.path, self.qualname, self.line, self.status, self.blockers)


@dataclass
class ModuleAnalysis:
    path: str
    functions: list[FunctionInfo] = field(default_factory=list)
    classes: list[ClassInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    score: float = 100.0
    error: str | None = None
    lines: int = 0
    test: bool = False  # a test module (pymigrate.files.is_test_module): never upgraded, not scored

    @property
    def units(self) -> list[FunctionInfo | ClassInfo]:
        return [*self.functions, *self.classes]

    def function(self, qualname: str) -> FunctionInfo:
        """The function named `qualname` (KeyError when absent): a convenience for callers and tests."""
        for info in self.functions:
            if info.qualname == qualname:
                return info
        raise KeyError(qualname)

    def klass(self, qualname: str) -> ClassInfo:
        for info in self.classes:
            if info.qualname == qualname:
                return info
        raise KeyError(qualname)


@dataclass
class AnalysisReport:
    files: list[ModuleAnalysis] = field(default_factory=list)
    score: float = 100.0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def functions(self) -> list[FunctionInfo]:
        return [f for m in self.files for f in m.functions]

    @property
    def classes(self) -> list[ClassInfo]:
        return [c for m in self.files for c in m.classes]

    @property
    def findings(self) -> list[Finding]:
        return [f for m in self.files for f in m.findings]

    @property
    def units(self) -> list[FunctionInfo | ClassInfo]:
        return [u for m in self.files for u in m.units]

    @property
    def lines(self) -> int:
        return sum(m.lines for m in self.files)

    def to_json(self) -> dict[str, Any]:
        """The versioned JSON document described in docs/analyze-json.md (schema.json)."""
        from pymigrate import __version__

        analyzed = [m for m in self.files if m.error is None and not m.test]
        return {
            "version": SCHEMA_VERSION,
            "tool": "pymigrate",
            "tool_version": __version__,
            "score": round(self.score, 2),
            "summary": summary_counts(self),
            "files": [
                {
                    "path": m.path,
                    "score": round(m.score, 2),
                    "functions": len(m.functions),
                    "classes": len(m.classes),
                }
                for m in analyzed
            ],
            "functions": [f.to_json() for f in self.functions],
            "classes": [c.to_json() for c in self.classes],
            "findings": [f.to_json() for f in self.findings],
            "errors": [dict(e) for e in self.errors],
        }


def summary_counts(report: AnalysisReport) -> dict[str, int]:
    """Counts shown by every renderer, computed once."""
    funcs = report.functions
    classes = report.classes
    return {
        "files": sum(1 for m in report.files if m.error is None and not m.test),
        "test_files": sum(1 for m in report.files if m.error is None and m.test),
        "errors": len(report.errors),
        "functions": len(funcs),
        "functions_ready": sum(1 for f in funcs if f.status == Status.READY),
        "functions_inferable": sum(1 for f in funcs if f.status == Status.INFERABLE),
        "functions_blocked": sum(1 for f in funcs if f.status == Status.BLOCKED),
        "classes": len(classes),
        "classes_ready": sum(1 for c in classes if c.status == Status.READY),
        "classes_blocked": sum(1 for c in classes if c.status == Status.BLOCKED),
        "findings": len(report.findings),
    }
