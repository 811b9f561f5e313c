"""`python -m benchmarks.realpkgs`: real PyPI packages through the whole pipeline.

For each package (pinned by version and sdist sha256, downloaded into a cache): its own tests, `pymigrate
analyze`, `pymigrate migrate --write --trace "<its tests>"`, `pymigrate build`, its tests on the build and
through the import hook, a differential run of every compiled function against the original on generated
inputs, and its workload timed under CPython, pymigrate, Cython and mypyc. Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.realpkgs import differential, speed
from benchmarks.realpkgs.fetch import CACHE, FetchError, fetch, unpack
from benchmarks.realpkgs.packages import FAST, SPECS
from benchmarks.realpkgs.pipeline import Layout, Result, run_pipeline

BENCH_DIR = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.realpkgs", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--package", action="append", choices=sorted(SPECS), help="repeatable (default: all)")
    p.add_argument("--fast", action="store_true", help=f"the slice run by the tests: {FAST}, 25 calls a function, "
                                                       "built way only, no speed")
    p.add_argument("--calls", type=int, default=200, help="generated calls per compiled function (default 200)")
    p.add_argument("--modes", default="so,jit", help="compiled ways to compare: so (the build), jit (the hook)")
    p.add_argument("--rounds", type=int, default=3, help="interleaved timing rounds (default 3)")
    p.add_argument("--target", type=float, default=0.2, help="seconds per timed sample (default 0.2)")
    p.add_argument("--trace-budget", type=float, default=None,
                   help="seconds the traced migration may take before the harness migrates statically "
                        "(default: each package's trace_budget in packages.py)")
    p.add_argument("--no-speed", action="store_true")
    p.add_argument("--no-differential", action="store_true")
    p.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "pymigrate-realpkgs")
    p.add_argument("--cache", type=Path, default=CACHE, help=f"where sdists are kept (default {CACHE})")
    p.add_argument("--json", type=Path, default=BENCH_DIR / "_build" / "realpkgs.json")
    p.add_argument("--markdown", type=Path, metavar="JSON",
                   help="run nothing: print the figures of a run's JSON as docs/performance.md's tables")
    args = p.parse_args(argv)
    if args.fast:
        args.package = args.package or [FAST]
        args.calls, args.modes, args.no_speed = min(args.calls, 25), "so", True
    return args


def run_one(name: str, args: argparse.Namespace) -> Result:
    """One package through every step; a step that raises is a problem of the package, never the end of the
    run (the others still run where they can)."""
    spec = SPECS[name]
    log = Console(stderr=True)
    result = Result(spec.name, spec.version)
    work = args.workdir / spec.name
    if work.exists():
        shutil.rmtree(work)
    start = time.perf_counter()
    try:
        archive = fetch(spec, args.cache)
    except FetchError as exc:
        result.problems.append(f"fetch: {exc}")
        return result
    root = unpack(archive, work / "unpack")
    shutil.move(str(root), str(work / "orig"))
    result.steps["fetch"] = round(time.perf_counter() - start, 2)
    layout = Layout(spec, work)
    log.print(f"[bold]{spec.name} {spec.version}[/]: tests, analyze, migrate, build, tests after")
    if not _step(result, "pipeline", lambda: run_pipeline(layout, result, args.trace_budget)):
        return result
    if not args.no_differential:
        log.print(f"{spec.name}: differential run ({args.calls} calls per compiled function)")
        start = time.perf_counter()
        modes = tuple(m for m in args.modes.split(",") if m)

        def diff() -> None:
            result.differential = differential.run(layout, result, args.calls, modes, timeout=60.0)
            if "error" in result.differential:
                result.problems.append(f"differential run: {result.differential['error']}")
        _step(result, "differential", diff)
        result.steps["differential"] = round(time.perf_counter() - start, 2)
    if not args.no_speed:
        log.print(f"{spec.name}: workload and hot functions under CPython, pymigrate, Cython, mypyc")
        start = time.perf_counter()

        def timing() -> None:
            result.speed = speed.measure(layout, result, args.rounds, args.target)
        _step(result, "speed", timing)
        result.steps["speed"] = round(time.perf_counter() - start, 2)
    return result


def _step(result: Result, name: str, body: Callable[[], None]) -> bool:
    """Run one step; an exception is recorded with its traceback's last lines."""
    try:
        body()
    except Exception as exc:  # noqa: BLE001 - the harness reports every failure and goes on
        tail = "".join(traceback.format_exception(exc)[-3:])
        result.problems.append(f"{name} step raised {type(exc).__name__}: {exc}\n{tail}")
        return False
    return True


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}x"


def tables(results: list[Result]) -> list[Table]:
    """The pipeline per package, then the speed of each package's workload and hot functions."""
    pipe = Table(title="real packages: the pipeline and the differential run")
    for col in ("package", "fn / functions", "ready/infer/blocked", "top blockers", "migrate", "tests before",
                "after build", "through hook", "diff calls", "differences", "problems"):
        pipe.add_column(col)
    fast = Table(title="real packages: speed (times faster than CPython; pm/Cython and pm/mypyc: pymigrate's "
                       "time against theirs)")
    for col in ("package", "job", "fn?", "CPython ms", "pymigrate", "Cython", "mypyc", "pm/Cython", "pm/mypyc",
                "notes"):
        fast.add_column(col)
    for r in results:
        diff = r.differential
        pipe.add_row(
            f"{r.name} {r.version}", f"{r.fn_count} / {r.functions}", f"{r.ready}/{r.inferable}/{r.blocked}",
            " ".join(f"{c}:{n}" for c, n in r.top_blockers[:3]), r.migrate_mode.split(":")[0] or "-",
            r.tests_before.short() if r.tests_before else "-",
            r.tests_built.short() if r.tests_built else "-", r.tests_hook.short() if r.tests_hook else "-",
            str(diff.get("calls", "-")), str(len(diff.get("differences", []))) if diff else "-",
            str(len(r.problems)))
        for label, row in r.speed.get("jobs", {}).items():
            base = row.get("cpython", {}).get("median_s")
            notes = "; ".join(f"{n}: {c['error'][:70]}" for n, c in row.items()
                              if isinstance(c, dict) and "error" in c)
            if label == speed.WORKLOAD and r.speed.get("impls", {}).get("pymigrate", {}).get("native") == []:
                notes = "; ".join(filter(None, ["pymigrate: no compiled module loaded (runs as CPython)", notes]))
            fast.add_row(r.name, label.removeprefix(r.name + "."), "fn" if row.get("compiled") else "",
                         "n/a" if base is None else f"{base * 1000:.3f}",
                         *[_fmt(row.get(n, {}).get("speedup")) for n in ("pymigrate", "cython", "mypyc")],
                         _fmt(speed.ratio(r.speed, "pymigrate", "cython", label)),
                         _fmt(speed.ratio(r.speed, "pymigrate", "mypyc", label)), notes)
    return [pipe, fast] if fast.row_count else [pipe]


def write_json(path: Path, results: list[Result]) -> None:
    data = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "python": sys.version.split()[0],
                        "processor": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
                        "load": os.getloadavg()},
            "packages": [r.as_json() for r in results]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")


def _tests(t: dict[str, Any] | None) -> str:
    return "-" if not t else f"{t['passed']} / {t['failed']} / {t['skipped']}" + (f" / {t['errors']}e" if t["errors"] else "")


def _cell(row: dict[str, Any], impl: str) -> str:
    cell = row.get(impl, {})
    return f"{cell['speedup']:.2f}x" if "speedup" in cell else "n/a"


def markdown(data: dict[str, Any]) -> str:
    """The figures of a run's JSON as the tables of docs/performance.md (pipeline; speed per job)."""
    out = ["| package | fn / functions | migrate | tests before (passed / failed / skipped) | after build | "
           "through hook | differential calls | differences | step times (s) |", "|---|---|---|---|---|---|---|---|---|"]
    for p in data["packages"]:
        diff = p["differential"]
        times = ", ".join(f"{k} {v:.0f}" for k, v in p["steps"].items() if k != "fetch")
        out.append(f"| {p['name']} {p['version']} | {p['fn_count']} / {p['functions']} | "
                   f"{p['migrate_mode'].split(':')[0] or '-'} | {_tests(p['tests_before'])} | {_tests(p['tests_built'])} | "
                   f"{_tests(p['tests_hook'])} | {diff.get('calls', '-')} | "
                   f"{len(diff['differences']) if diff else '-'} | {times} |")
    out += ["", "| package | job | fn | CPython | pymigrate | Cython | mypyc | pymigrate / Cython | pymigrate / mypyc |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for p in data["packages"]:
        for label, row in p["speed"].get("jobs", {}).items():
            base = row.get("cpython", {}).get("median_s")
            vs = [speed.ratio(p["speed"], "pymigrate", other, label) for other in ("cython", "mypyc")]
            out.append(f"| {p['name']} | `{label.removeprefix(p['name'] + '.')}` | {'fn' if row.get('compiled') else ''} | "
                       f"{'n/a' if base is None else f'{base * 1000:.2f} ms'} | "
                       + " | ".join(_cell(row, n) for n in ("pymigrate", "cython", "mypyc")) + " | "
                       + " | ".join(_fmt(v) for v in vs) + " |")
    notes = [f"- {p['name']}, {impl}: {cell['error']}" for p in data["packages"]
             for impl, cell in p["speed"].get("impls", {}).items() if "error" in cell]
    notes += [f"- {p['name']}, `{label}`, {impl}: {cell['error']}" for p in data["packages"]
              for label, row in p["speed"].get("jobs", {}).items() for impl, cell in row.items()
              if isinstance(cell, dict) and "error" in cell and "error" not in p["speed"]["impls"].get(impl, {})]
    return "\n".join(out + ([""] + notes if notes else []))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(args.markdown.read_text())))
        return 0
    results: list[Result] = []
    for name in args.package or list(SPECS):
        results.append(run_one(name, args))
        write_json(args.json, results)  # after each package: a long run that stops keeps what it measured
    console = Console(width=None if sys.stdout.isatty() else 200)
    for t in tables(results):
        console.print(t)
    for r in results:
        for problem in r.problems:
            console.print(f"[yellow]{r.name}[/]: {problem}", markup=True, highlight=False)
        for d in r.differential.get("differences", [])[:10]:
            console.print(f"[red]{r.name} difference[/] [{d['mode']}] {d['module']}:\n{d['call']}\n"
                          f"    expected {d['expected']}\n    got      {d['got']}", highlight=False)
    console.print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
