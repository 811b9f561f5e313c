"""One package through the pipeline, each step timed: its tests, analyze, migrate --trace, build,
its tests on the build and through the import hook, and the count of functions that became `fn`."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
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
BUILD_TIMEOUT = 900.0  # one module
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
    migrate_mode: str = ""
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
    """Run cmd in its own session; past the timeout its whole process group is killed (a traced test run
    that `pymigrate migrate` started must not outlive it), with exit -9 and the reason in the log."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            shell=isinstance(cmd, str), start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        code, out = -9, f"{out}\ntimeout after {timeout:.0f} s"
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
    """The names a .pys writes as `fn` or `struct` (what the compiler compiles), read as the differential
    harness of tests/e2e reads them (module-level fns and structs, fn methods as `Class.method`)."""
    sys.path.insert(0, str(REPO))
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


def migrate(layout: Layout, result: Result, budget: float | None = None) -> None:
    """`migrate --write --trace` with the package's tests (or the sample `trace` names), bounded by the
    spec's trace budget; when the traced run fails or runs out of time, a static migration (inference from
    the source alone) on a fresh copy, with the reason in `migrate_mode` and in the problems."""
    spec = layout.spec
    budget = spec.trace_budget if budget is None else budget
    mig = layout.root("mig")
    files = [str(p) for p in layout.modules("orig")]
    result.modules = len(files)
    command = f"cd {mig} && PYTHONPATH={layout.import_root('mig')}:$PYTHONPATH " + \
        (spec.trace or spec.tests).format(python=sys.executable)
    what = "a sample of its tests (the spec's trace)" if spec.trace else "its tests"
    step = _migrate_copy(layout, ["--trace", command], budget)
    result.migrate_mode = f"traced: {what}"
    if step.exit != 0:
        why = (f"did not finish within its {budget:.0f} s budget" if step.exit == -9
               else f"exited {step.exit}: " + " | ".join(_notes(step.log)[:5]))
        result.problems.append(f"migrate --trace ({what}) {why}; migrated statically instead")
        result.steps["migrate traced"] = round(step.seconds, 2)
        step = _migrate_copy(layout, [], TEST_TIMEOUT)
        result.migrate_mode = f"static: the traced run {why}"[:300]
    result.steps["migrate"] = round(step.seconds, 2)
    result.migrate_exit = step.exit
    lines = step.log.strip().splitlines()
    result.migrate_summary = lines[-1] if lines else ""
    notes = _notes(step.log)
    if step.exit != 0 or notes:
        result.problems.append(f"migrate exited {step.exit}: " + " | ".join(notes[:5] or lines[-5:]))
    pkg = layout.package("mig")
    for pys in sorted(pkg.rglob("*.pys")):
        module = ".".join((spec.import_name, *pys.relative_to(pkg).with_suffix("").parts))
        result.pys_modules.append(module)
        result.fns[module] = upgraded_names(pys)


def _notes(log: str) -> list[str]:
    return [line for line in log.strip().splitlines() if "failed" in line or "error" in line.lower()]


def _migrate_copy(layout: Layout, extra: list[str], budget: float) -> Step:
    """`pymigrate migrate --write` on a fresh copy of the original (a run cut short leaves nothing behind)."""
    mig = layout.root("mig")
    if mig.exists():
        shutil.rmtree(mig)
    shutil.copytree(layout.root("orig"), mig)
    files = [str(p) for p in layout.modules("mig")]
    return _run(pymigrate("migrate", "--write", *extra, *files), mig, timeout=budget)


def build(layout: Layout, result: Result) -> None:
    built = layout.root("built")
    shutil.copytree(layout.root("mig"), built)
    total = 0.0
    for pys in sorted(layout.package("built").rglob("*.pys")):
        step = _run(pymigrate("build", "-q", str(pys)), built, timeout=BUILD_TIMEOUT)
        total += step.seconds
        if step.exit != 0:
            result.build_failures[str(pys.relative_to(built))] = step.log[-2000:]
    result.steps["build"] = round(total, 2)


def run_pipeline(layout: Layout, result: Result, budget: float | None = None) -> None:
    """Tests before, analyze, migrate, build, tests on the build and through the hook (in place)."""
    spec = layout.spec
    result.tests_before = run_tests(spec, layout.root("orig"), layout.import_root("orig"))
    result.steps["tests before"] = result.tests_before.seconds
    if result.tests_before.exit != 0 or result.tests_before.failed or result.tests_before.errors:
        result.problems.append(f"tests before (the original) exited {result.tests_before.exit}:\n"
                               f"{result.tests_before.tail}")
    analyze(layout, result)
    migrate(layout, result, budget)
    build(layout, result)
    for path, log in result.build_failures.items():
        result.problems.append(f"build {path} failed: {' | '.join(_notes(log)[-3:]) or log[-300:]}")
    result.tests_built = run_tests(spec, layout.root("built"), layout.import_root("built"))
    result.steps["tests built"] = result.tests_built.seconds
    result.tests_hook = run_tests(spec, layout.root("mig"), layout.import_root("mig"),
                                  hook_env(layout.work, layout.import_root("mig")))
    result.steps["tests hook"] = result.tests_hook.seconds
    for way, tests in (("built", result.tests_built), ("hook", result.tests_hook)):
        if tests.counts() != result.tests_before.counts():
            result.problems.append(f"tests {way}: {tests.short()} where the original gives "
                                   f"{result.tests_before.short()}:\n{tests.tail}")
