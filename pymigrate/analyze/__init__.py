"""`pymigrate analyze`: what in a package can move to the superset, what blocks it, and a score.

The API (see docs/contracts.md section 2 and docs/analyze.md):
`analyze_source(source, path, config=None) -> ModuleAnalysis` and
`analyze_paths(paths, config, progress=False, jobs=None) -> AnalysisReport`.
"""

from pymigrate.analyze.engine import analyze_file, analyze_paths, analyze_source
from pymigrate.analyze.model import AnalysisReport, ClassInfo, Finding, FunctionInfo, ModuleAnalysis

__all__ = [
    "AnalysisReport",
    "ClassInfo",
    "Finding",
    "FunctionInfo",
    "ModuleAnalysis",
    "analyze_file",
    "analyze_paths",
    "analyze_source",
]
