"""`python -m benchmarks`: build every kernel in every implementation, time them interleaved, check
every result against CPython, print the tables and write results.json and results.png."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import compile_probe, impls, imports, report, runner
from benchmarks.kernels import CALLS_MODULE, KERNELS_DIR, Kernel, KernelError, discover
from pymigrate import atomic

BENCH_DIR = Path(__file__).resolve().parent


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--quick", action="store_true", help="smoke run: small sizes, 2 rounds, short samples")
    p.add_argument("--rounds", type=int, help="interleaved rounds per kernel (default 5, quick 2)")
    p.add_argument("--target", type=float, help="seconds per timed sample (default 0.1, quick 0.005)")
    p.add_argument("--impl", help=f"comma-separated implementations (default all: {','.join(impls.ORDER)})")
    p.add_argument("--kernel", help="comma-separated kernels (default all)")
    p.add_argument("--build-dir", type=Path, default=BENCH_DIR / "_build", help="where builds go (default benchmarks/_build)")
    p.add_argument("--json", type=Path, default=BENCH_DIR / "results.json", help="results file")
    p.add_argument("--plot", type=Path, default=BENCH_DIR / "results.png", help="plot file")
    p.add_argument("--no-plot", action="store_true", help="do not draw results.png")
    p.add_argument("--no-calls", action="store_true", help="skip the call-overhead measurement")
    p.add_argument("--no-imports", action="store_true", help="skip the import-time measurement")
    p.add_argument("--show", type=Path, metavar="RESULTS_JSON", help="only print the tables of a saved results.json")
    return p.parse_args(argv)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_all(names: list[str], modules: list[tuple[str, Path]], build_dir: Path) -> dict[str, dict[str, impls.Build]]:
    """module -> implementation -> Build. An unavailable implementation gets its reason everywhere."""
    builds: dict[str, dict[str, impls.Build]] = {name: {} for name, _ in modules}
    for impl_name in names:
        impl = impls.get(impl_name)
        reason = impl.unavailable()
        for name, source in modules:
            if reason is not None:
                builds[name][impl_name] = impls.Build(error=reason)
                continue
            _log(f"build  {impl_name:<15} {name}")
            try:
                builds[name][impl_name] = impl.build(name, source, build_dir)
            except Exception as exc:  # a broken build is an n/a cell with the reason, not a crash
                builds[name][impl_name] = impls.Build(error=f"{type(exc).__name__}: {exc}")
    return builds


def compile_json(
    modules: list[tuple[str, Path]], builds: dict[str, dict[str, impls.Build]], names: list[str],
    measured: dict[str, dict[str, runner.Outcome]],
) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for name, source in modules:
        lines = len(source.read_text(encoding="utf-8").splitlines())
        row: dict[str, Any] = {}
        for impl in names:
            if impl == "cpython":
                continue
            build = builds[name][impl]
            outcome = measured.get(name, {}).get(impl)
            entry: dict[str, Any] = {"lines": lines, "seconds": dict(build.seconds), "notes": list(build.notes)}
            if build.error is not None:
                entry.update(status="n/a", reason=build.error)
            elif impl == "numba" or build.artifact.startswith("jit:"):
                # JIT implementations compile at first call (Numba) or at load (pymigrate JIT).
                if outcome is None or not outcome.ok or outcome.first_call_s is None:
                    why = outcome.reason if outcome is not None and outcome.reason else "compiled during a warm-up that is not timed"
                    entry.update(status="n/a", reason=why)
                else:
                    warm = outcome.median or 0.0
                    jit_s = (outcome.load_s or 0.0) if impl != "numba" else outcome.first_call_s - warm
                    entry["seconds"]["jit"] = max(jit_s, 0.0)
                    entry.update(status="ok", total_s=sum(entry["seconds"].values()))
            else:
                entry.update(status="ok", total_s=sum(build.seconds.values()))
            row[impl] = entry
        table[name] = row
    return table


def probe_compiler(kernels: list[Kernel], build_dir: Path) -> dict[str, dict[str, Any]]:
    """In-process compiler phases for each hand-migrated module and for a 200+-line module made of
    them (benchmarks/compile_probe.py): module -> {"lines", "seconds": {phase: s}} or {"reason"}."""
    sources = [(k.name, k.hand_migrated) for k in kernels if k.hand_migrated.exists()]
    combined = compile_probe.combined_module(KERNELS_DIR, build_dir / "compile" / "compile200.pys")
    if combined is not None:
        sources.append(("compile200", combined))
    found: dict[str, dict[str, Any]] = {}
    for name, source in sources:
        _log(f"probe  compiler on {source.name}")
        phases: dict[str, Any] = {}
        for extra in ([], ["--whole"]):
            proc = subprocess.run([sys.executable, "-m", "benchmarks.compile_probe", str(source), *extra],
                                  capture_output=True, text=True, cwd=impls.REPO_ROOT, timeout=600)
            if proc.returncode != 0:
                tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
                phases = {"reason": f"compile failed: {tail[:200]}"}
                break
            phases.update(json.loads(proc.stdout.strip().splitlines()[-1]))
        if "reason" in phases:
            found[name] = phases
            continue
        found[name] = {"lines": phases["lines"], "source": str(source),
                       "seconds": {"front end": phases["front_end_s"], "LLVM": phases["llvm_s"],
                                   "whole build": phases["build_file_s"]}}
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.show:
        print(report.format_report(json.loads(args.show.read_text())), end="")
        return 0
    quick = bool(args.quick)
    rounds = args.rounds or (2 if quick else 5)
    target = args.target or (0.005 if quick else 0.1)
    names = [n.strip() for n in args.impl.split(",")] if args.impl else list(impls.ORDER)
    unknown = [n for n in names if n not in impls.IMPLEMENTATIONS]
    if unknown:
        print(f"error: unknown implementation(s) {', '.join(unknown)}; known: {', '.join(impls.ORDER)}", file=sys.stderr)
        return 2
    if "cpython" not in names:
        names.insert(0, "cpython")  # the reference every result is checked against
    names = [n for n in impls.ORDER if n in names]
    try:
        kernels = discover(only=[k.strip() for k in args.kernel.split(",")] if args.kernel else None)
    except KernelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    build_dir: Path = args.build_dir.resolve()
    logs = build_dir / "logs"
    started = time.perf_counter()

    modules = [(k.name, k.path) for k in kernels] + ([] if args.no_calls else [("trivial", CALLS_MODULE)])
    builds = build_all(names, modules, build_dir)

    doc: dict[str, Any] = {
        "version": report.SCHEMA_VERSION,
        "settings": {
            "quick": quick, "rounds": rounds, "target_sample_s": target, "implementations": names,
            "python": sys.version.split()[0], "machine": platform.machine(), "processor": platform.processor(),
            "cpus": os.cpu_count(), "cc_flags": " ".join(impls.C_FLAGS),
        },
        "implementations": {
            n: {"label": impls.get(n).label, "available": impls.get(n).unavailable() is None,
                **({"reason": r} if (r := impls.get(n).unavailable()) else {})}
            for n in names
        },
        "kernels": {},
    }
    measured: dict[str, dict[str, runner.Outcome]] = {}
    for kernel in kernels:
        _log(f"run    {kernel.name} (n={kernel.size(quick)})")
        outcomes = runner.measure_kernel(kernel, names, builds[kernel.name], quick=quick, rounds=rounds,
                                         target=target, logs=logs)
        measured[kernel.name] = outcomes
        doc["kernels"][kernel.name] = {
            "kind": kernel.kind, "n": kernel.size(quick), "lines": kernel.lines, "tolerance": kernel.tolerance,
            "results": {impl: report.outcome_json(outcomes[impl]) for impl in names if impl in outcomes},
        }
    doc["medians"], doc["ratios"] = report.kernel_tables(doc["kernels"])
    if not args.no_calls:
        _log("run    call overhead")
        calls = runner.measure_call_overhead(CALLS_MODULE, names, builds["trivial"], rounds=max(rounds, 7),
                                             number=10_000 if quick else 50_000, logs=logs)
        doc["call_overhead"] = report.call_overhead_json(calls)
    doc["compile"] = compile_json(modules, builds, names, measured)
    if "pymigrate-hand" in names and impls.get("pymigrate-hand").unavailable() is None:
        doc["compiler_phases"] = probe_compiler(kernels, build_dir)
    if not args.no_imports:
        _log("run    import times")
        doc["imports"] = imports.measure(kernels, names, builds, build_dir, repeats=2 if quick else 5)
    doc["goals"] = report.all_goals(doc)
    doc["elapsed_s"] = time.perf_counter() - started

    args.json.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(args.json, json.dumps(doc, indent=2) + "\n")
    print(report.format_report(doc), end="")
    print(f"\nwrote {args.json}")
    if not args.no_plot:
        from benchmarks import plot

        reason = plot.draw(doc, args.plot)
        print(f"wrote {args.plot}" if reason is None else f"no plot: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
