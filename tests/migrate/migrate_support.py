"""Shared pieces for the migrator's tests: golden fixture cases and a plan-driven analyzer.

The plan stand-in lets a fixture state which items are ready (plan.json), so the golden files
test the transforms themselves; tests of the whole pipeline use the real analyzer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import libcst as cst

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "migrate"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "input.py").is_file())


@dataclass
class PlannedTypes:
    functions: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    imports: list[str] = field(default_factory=list)


def plan_of(case: str) -> dict[str, Any]:
    plan_file = FIXTURES / case / "plan.json"
    data: dict[str, Any] = json.loads(plan_file.read_text()) if plan_file.exists() else {}
    return data


def planned_analyzer(plan: dict[str, Any]) -> Any:
    """An analyze_source stand-in that calls exactly the planned items ready."""

    def analyze(source: str, path: Path, config: Any = None) -> Any:
        module = cst.parse_module(source)  # the real analyzer reads the text too
        del module
        ready = [SimpleNamespace(qualname=q, status="ready", tier="native") for q in plan.get("functions", [])]
        classes = [SimpleNamespace(qualname=q, status="ready") for q in plan.get("classes", [])]
        return SimpleNamespace(path=str(path), functions=ready, classes=classes, findings=[], score=0.0, error=None)

    return analyze




def every_top_level_ready(source: str, path: Path, config: Any = None) -> Any:
    """An analyzer stand-in that calls every module-level def and class ready (a stress test
    of spelling the upgrades: the output must still parse and be the same program)."""
    module = cst.parse_module(source)
    functions = [
        SimpleNamespace(qualname=s.name.value, status="ready", tier="native") for s in module.body if isinstance(s, cst.FunctionDef)
    ]
    classes = [SimpleNamespace(qualname=s.name.value, status="ready") for s in module.body if isinstance(s, cst.ClassDef)]
    return SimpleNamespace(functions=functions, classes=classes, findings=[], score=0.0, error=None)


def src_package(tmp_path: Path, files: dict[str, str]) -> Path:
    """`tmp_path/src/pkg` holding `files` (name -> text), dated a few seconds back (a file written as a run
    starts is not recorded by the migration cache); run from `src`, where mypy finds what a file imports."""
    import os
    import time

    root = tmp_path / "src" / "pkg"
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
        os.utime(root / name, (time.time() - 5, time.time() - 5))
    return root
