"""One package through the pipeline, each step timed: its tests, analyze, migrate --trace, build,
its tests on the build and through the import hook, and the count of functions that became `fn`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.realpkgs.packages import Spec

REPO = Path(__file__).resolve().parents[2]
TEST_TIMEOUT = 1800.0
_COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|deselected)\b")


@dataclass
class Tests:
    """What pytest's closing line says (errors are collection or fixture errors)."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0
    errors: int = 0
    xfailed: int = 0
    xpassed: int = 0
    exit: int = 0
    seconds: float = 0.0
    tail: str = ""

    def counts(self) -> tuple[int, int, int, int, int, int]:
        return (self.passed, self.failed, self.skipped, self.errors, self.xfailed, self.xpassed)

    def short(self) -> str:
        text = f"{self.passed}p/{self.failed}f/{self.skipped}s"
        return text + (f"/{self.errors}e" if self.errors else "")


@dataclass
class Step:
    seconds: float = 0.0
    exit: int = 0
    log: str = ""


@dataclass
class Result:
    """Everything measured on one package (the JSON row)."""

    name: str
    version: str
    steps: dict[str, float] = field(default_factory=dict)
    tests_before: Tests | None = None
    tests_built: Tests | None = None
    tests_hook: Tests | None = None
    readiness: float = 0.0
    functions: int = 0
    ready: int = 0
    inferable: int = 0
    blocked: int = 0
    top_blockers: list[tuple[str, int]] = field(default_factory=list)
    migrate_exit: int = 0
    migrate_summary: str = ""
    modules: int = 0
    pys_modules: list[str] = field(default_factory=list)
    fns: dict[str, list[str]] = field(default_factory=dict)   # module -> names upgraded to fn/struct
    build_failures: dict[str, str] = field(default_factory=dict)
    differential: dict[str, Any] = field(default_factory=dict)
    speed: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def fn_count(self) -> int:
        return sum(len(v) for v in self.fns.values())

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["speed"].pop("result", None)  # the workload's whole result: only its excerpt is kept
        data["fn_count"] = self.fn_count
        return data


@dataclass
class Layout:
    """orig/ (the unpacked sdist, untouched), mig/ (migrated), built/ (migrated and built): sdist roots."""

    spec: Spec
    work: Path

    def root(self, way: str) -> Path:
        return self.work / way

    def import_root(self, way: str) -> Path:
        return self.root(way) / self.spec.import_root if self.spec.import_root else self.root(way)

    def package(self, way: str) -> Path:
        return self.import_root(way) / self.spec.import_name

    def modules(self, way: str) -> list[Path]:
        """The package's own modules (its tests excluded), as .py files."""
        pkg = self.package(way)
        return sorted(p for p in pkg.rglob("*.py") if not _is_test(p.relative_to(pkg).as_posix(), self.spec))


def _is_test(rel: str, spec: Spec) -> bool:
    return any(part in rel if part.endswith("/") else Path(rel).name.startswith(part) for part in spec.exclude)


def _run(cmd: list[str] | str, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = TEST_TIMEOUT) -> Step:
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                              shell=isinstance(cmd, str))
        code, out = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        code, out = -9, f"timeout after {timeout:.0f} s: {exc.stdout!r:.2000}"
    return Step(time.perf_counter() - start, code, out)


def pymigrate(*args: str) -> list[str]:
    return [sys.executable, "-m", "pymigrate", *args]


def base_env() -> dict[str, str]:
    """The environment of a package's own test run: nothing of pymigrate's on the path."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONPATH", "PYMIGRATE"))}


def hook_env(scratch: Path, import_root: Path) -> dict[str, str]:
    """Every interpreter of the run imports `pymigrate.importer` first (a sitecustomize, as docs/runtime.md
    suggests a .pth), so the package's `.pys` modules are compiled on import."""
    site = scratch / "hook-site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text("import pymigrate.importer\n")
    env = base_env()
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(import_root), str(REPO)])
    return env


def run_tests(spec: Spec, root: Path, import_root: Path, env: dict[str, str] | None = None) -> Tests:
    if env is None:
        env = base_env()
        env["PYTHONPATH"] = str(import_root)
    step = _run(spec.tests.format(python=sys.executable), root, env)
    found: Counter[str] = Counter()
    lines = [line for line in step.log.splitlines() if _COUNT.search(line)]
    for number, kind in _COUNT.findall(lines[-1] if lines else ""):
        found["errors" if kind.startswith("error") else kind] += int(number)
    tail = "\n".join(step.log.strip().splitlines()[-15:])
    return Tests(found["passed"], found["failed"], found["skipped"], found["errors"], found["xfailed"],
                 found["xpassed"], step.exit, round(step.seconds, 2), tail)


def upgraded_names(pys: Path) -> list[str]:
    """The names a .pys writes as `fn` or `struct` (what the compiler compiles)."""
    sys.path.insert(0, str(REPO / "tests" / "e2e"))
    from e2e_harness import fn_names

    return sorted(fn_names(pys.read_text(encoding="utf-8"), str(pys)))


def analyze(layout: Layout, result: Result) -> None:
    files = [str(p) for p in layout.modules("orig")]
    step = _run(pymigrate("analyze", "--format", "json", *files), layout.root("orig"))
    result.steps["analyze"] = round(step.seconds, 2)
    try:
        report = json.loads(step.log[step.log.index("{"):step.log.rindex("}") + 1])
    except ValueError:
        result.problems.append(f"analyze exited {step.exit} without a JSON report: {step.log[-1000:]}")
        return
    summary = report["summary"]
    result.readiness = float(report["score"])
    result.functions = int(summary["functions"])
    result.ready = int(summary["functions_ready"])
    result.inferable = int(summary["functions_inferable"])
    result.blocked = int(summary["functions_blocked"])
    blockers: Counter[str] = Counter(code for f in report["functions"] for code in f.get("blockers", []))
    result.top_blockers = blockers.most_common(5)


def migrate(layout: Layout, result: Result) -> None:
    spec = layout.spec
    mig = layout.root("mig")
    shutil.copytree(layout.root("orig"), mig)
    files = [str(p) for p in layout.modules("mig")]
    result.modules = len(files)
    command = f"cd {mig} && PYTHONPATH={layout.import_root('mig')}:$PYTHONPATH " + \
        (spec.trace or spec.tests).format(python=sys.executable)
    step = _run(pymigrate("migrate", "--write", "--trace", command, *files), mig)
    result.steps["migrate"] = round(step.seconds, 2)
    result.migrate_exit = step.exit
    lines = step.log.strip().splitlines()
    result.migrate_summary = lines[-1] if lines else ""
    notes = [line for line in lines if "failed" in line or "error" in line.lower()]
    if step.exit != 0 or notes:
        result.problems.append(f"migrate exited {step.exit}: " + " | ".join(notes[:5] or lines[-5:]))
    pkg = layout.package("mig")
    for pys in sorted(pkg.rglob("*.pys")):
        module = ".".join((spec.import_name, *pys.relative_to(pkg).with_suffix("").parts))
        result.pys_modules.append(module)
        result.fns[module] = upgraded_names(pys)


def build(layout: Layout, result: Result) -> None:
    built = layout.root("built")
    shutil.copytree(layout.root("mig"), built)
    total = 0.0
    for pys in sorted(layout.package("built").rglob("*.pys")):
        step = _run(pymigrate("build", "-q", str(pys)), built)
        total += step.seconds
        if step.exit != 0:
            result.build_failures[str(pys.relative_to(built))] = step.log[-2000:]
    result.steps["build"] = round(total, 2)


def run_pipeline(layout: Layout, result: Result) -> None:
    """Tests before, analyze, migrate, build, tests on the build and through the hook (in place)."""
    spec = layout.spec
    result.tests_before = run_tests(spec, layout.root("orig"), layout.import_root("orig"))
    result.steps["tests before"] = result.tests_before.seconds
    analyze(layout, result)
    migrate(layout, result)
    build(layout, result)
    result.tests_built = run_tests(spec, layout.root("built"), layout.import_root("built"))
    result.steps["tests built"] = result.tests_built.seconds
    result.tests_hook = run_tests(spec, layout.root("mig"), layout.import_root("mig"),
                                  hook_env(layout.work, layout.import_root("mig")))
    result.steps["tests hook"] = result.tests_hook.seconds
    for way, tests in (("built", result.tests_built), ("hook", result.tests_hook)):
        if tests.counts() != result.tests_before.counts():
            result.problems.append(f"tests {way}: {tests.short()} where the original gives "
                                   f"{result.tests_before.short()}:\n{tests.tail}")
