"""The readiness score (0-100), defined in docs/analyze.md.

A unit is a function or a class. ready counts 1, inferable 1/2, blocked 0; the score is the mean
over units times 100. A module without units scores 100 (nothing stands in the way). The package
score weighs every unit of every analyzed file equally; files that could not be analyzed are
reported as errors and do not count, and neither do test modules (they are never upgraded).
"""

from __future__ import annotations

from pymigrate.analyze.model import ClassInfo, FunctionInfo, ModuleAnalysis, Status

WEIGHTS = {Status.READY: 1.0, Status.INFERABLE: 0.5, Status.BLOCKED: 0.0}


def _points(units: list[FunctionInfo] | list[ClassInfo]) -> float:
    return sum(WEIGHTS[u.status] for u in units)


def module_score(functions: list[FunctionInfo], classes: list[ClassInfo]) -> float:
    total = len(functions) + len(classes)
    if total == 0:
        return 100.0
    return 100.0 * (_points(functions) + _points(classes)) / total


def package_score(modules: list[ModuleAnalysis]) -> float:
    analyzed = [m for m in modules if m.error is None and not m.test]
    total = sum(len(m.functions) + len(m.classes) for m in analyzed)
    if total == 0:
        return 100.0
    points = sum(_points(m.functions) + _points(m.classes) for m in analyzed)
    return 100.0 * points / total
