"""The results document (results.json) and the text tables printed from it.

Everything printed is computed from the JSON document alone, so the tables can be re-rendered from a
saved results.json (`python -m benchmarks --show benchmarks/results.json`).
"""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks.runner import Outcome

SCHEMA_VERSION = 1
HEADLINE = "pymigrate"
# The goals of the benchmark issue; the kernel lists are the issue's own families.
FLOAT_KERNELS = ("mandelbrot", "nbody", "spectral_norm")
INT_KERNELS = ("fib", "sieve", "fannkuch")
RECORD_KERNELS = ("matmul", "nbody")
KERNEL_GOALS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("float kernels within 1.15x of C", FLOAT_KERNELS, 1.15),
    ("integer kernels within 1.5x of C", INT_KERNELS, 1.5),
    ("list and record kernels within 2x of C", RECORD_KERNELS, 2.0),
)
CALL_GOAL = 1.3
COMPILE_GOAL_S = 1.0
COMPILE_GOAL_LINES = 200
IMPORT_GOAL_S = 0.020


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    data: dict[str, Any] = {"status": outcome.status}
    if outcome.reason:
        data["reason"] = outcome.reason
    if outcome.ok and outcome.samples:
        data["median_s"] = outcome.median
        data["samples_s"] = outcome.samples
        data["inner"] = outcome.inner
    if outcome.load_s is not None:
        data["load_s"] = outcome.load_s
    if outcome.first_call_s is not None:
        data["first_call_s"] = outcome.first_call_s
    return data


def kernel_tables(kernels: dict[str, dict[str, Any]]) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, dict[str, float]]]]:
    """medians: kernel -> implementation -> seconds (verified results only), and the ratios."""
    medians: dict[str, dict[str, float]] = {}
    ratios: dict[str, dict[str, dict[str, float]]] = {}
    for kernel, data in kernels.items():
        row = {impl: r["median_s"] for impl, r in data["results"].items() if r["status"] == "ok" and "median_s" in r}
        medians[kernel] = row
        ratios[kernel] = {}
        for impl, seconds in row.items():
            entry: dict[str, float] = {}
            if "cpython" in row:
                entry["faster_than_cpython"] = row["cpython"] / seconds
            if "c" in row:
                entry["slower_than_c"] = seconds / row["c"]
            ratios[kernel][impl] = entry
    return medians, ratios


def call_overhead_json(outcomes: dict[str, Outcome]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    base = outcomes.get("c")
    base_ns = base.median * 1e9 if base is not None and base.median is not None else None
    for impl, outcome in outcomes.items():
        entry: dict[str, Any] = {"status": outcome.status}
        if outcome.reason:
            entry["reason"] = outcome.reason
        if outcome.median is not None:
            entry["net_ns"] = outcome.median * 1e9
            entry["gross_ns"] = statistics.median(outcome.extra["gross"]) * 1e9
            if base_ns:
                entry["vs_c_extension"] = outcome.median * 1e9 / base_ns
        out[impl] = entry
    return out


def _goal(goal: str, target: str, measured: str, met: bool | None, detail: str = "") -> dict[str, Any]:
    return {"goal": goal, "target": target, "measured": measured, "met": met, "detail": detail}


def all_goals(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The goals for the headline column and, when it ran, the hand-migrated one."""
    impls = [i for i in (HEADLINE, "pymigrate-hand") if i in doc["settings"]["implementations"]]
    return [dict(goal, implementation=impl) for impl in impls or [HEADLINE] for goal in evaluate_goals(doc, impl)]


def evaluate_goals(doc: dict[str, Any], impl: str = HEADLINE) -> list[dict[str, Any]]:
    """Each goal of the issue for `impl`: met (True/False) or not measured (None, with why)."""
    goals: list[dict[str, Any]] = []
    ratios = doc.get("ratios", {})
    for title, names, limit in KERNEL_GOALS:
        present = [k for k in names if k in ratios]
        measured = {k: ratios[k].get(impl, {}).get("slower_than_c") for k in present}
        got = {k: v for k, v in measured.items() if v is not None}
        text = ", ".join(f"{k} {v:.2f}x" for k, v in got.items())
        if len(got) < len(names):
            missing = [k for k in names if k not in got]
            goals.append(_goal(title, f"<= {limit}x", text or "-", None, f"not measured: {', '.join(missing)}"))
        else:
            goals.append(_goal(title, f"<= {limit}x", text, all(v <= limit for v in got.values())))
    calls = doc.get("call_overhead", {})
    ratio = calls.get(impl, {}).get("vs_c_extension")
    goals.append(_goal(f"call overhead within {CALL_GOAL}x of a C extension", f"<= {CALL_GOAL}x",
                       f"{ratio:.2f}x" if ratio is not None else "-", None if ratio is None else ratio <= CALL_GOAL,
                       "" if ratio is not None else calls.get(impl, {}).get("reason", "not measured")))
    title = f"a {COMPILE_GOAL_LINES}-line module compiles in under {COMPILE_GOAL_S:g} s"
    phases = doc.get("compiler_phases", {})
    big = [(mod, r) for mod, r in phases.items() if r.get("lines", 0) >= COMPILE_GOAL_LINES and "seconds" in r]
    if big:
        mod, row = max(big, key=lambda item: item[1]["seconds"]["whole build"])
        took = row["seconds"]["whole build"]
        goals.append(_goal(title, f"< {COMPILE_GOAL_S:g} s", f"{mod} ({row['lines']} lines): {took:.2f} s",
                           took < COMPILE_GOAL_S, "whole `pymigrate build` of the file, in-process"))
    else:
        why = next((r["reason"] for r in phases.values() if "reason" in r), "no compiled module of that size")
        goals.append(_goal(title, f"< {COMPILE_GOAL_S:g} s", "-", None, why))
    imports = doc.get("imports", {})
    for key, what in ((impl, "built extension module"), ("pymigrate-hook", "import hook")):
        cached = imports.get(key, {}).get("cached", {}).get("import_s")
        goals.append(_goal(f"cached import under {IMPORT_GOAL_S * 1000:.0f} ms ({what})",
                           f"< {IMPORT_GOAL_S * 1000:.0f} ms", f"{cached * 1000:.1f} ms" if cached is not None else "-",
                           None if cached is None else cached < IMPORT_GOAL_S,
                           "" if cached is not None else imports.get(key, {}).get("reason", "not measured")))
    return goals


# ---------------------------------------------------------------- text rendering


def fmt_seconds(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.1f} us"
    return f"{seconds * 1e9:.0f} ns"


def fmt_ratio(ratio: float) -> str:
    return f"{ratio:.0f}x" if ratio >= 100 else f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.1f}x"


class _Notes:
    """Footnotes for n/a cells: the same reason gets one number."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def ref(self, impl: str, reason: str) -> str:
        text = f"{impl}: {reason}"
        if text not in self.items:
            self.items.append(text)
        return f"[{self.items.index(text) + 1}]"

    def render(self) -> list[str]:
        return [f"  [{i}] {text}" for i, text in enumerate(self.items, 1)]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _na(result: dict[str, Any], impl: str, notes: _Notes) -> str:
    label = "n/a" if result.get("status") == "n/a" else result.get("status", "n/a")
    return f"{label} {notes.ref(impl, result.get('reason', ''))}"


def _compile_table(doc: dict[str, Any], impls: list[str], labels: dict[str, str], notes: _Notes) -> list[str]:
    columns: list[tuple[str, str]] = []
    for impl in impls:
        if impl == "cpython":
            continue
        steps = [step for row in doc["compile"].values() for step in row.get(impl, {}).get("seconds", {})]
        columns += [(impl, step) for step in dict.fromkeys(steps)] or [(impl, "")]
    rows = []
    for module, row in doc["compile"].items():
        first: dict[str, Any] = next(iter(row.values()), {})
        cells = [module, str(first.get("lines", ""))]
        shown: set[str] = set()
        for impl, step in columns:
            entry = row.get(impl, {"status": "n/a", "reason": "not run"})
            if step in entry.get("seconds", {}) and entry.get("status") == "ok":
                cells.append(fmt_seconds(entry["seconds"][step]))
            elif entry.get("status") != "ok" and impl not in shown:
                cells.append(_na(entry, impl, notes))
                shown.add(impl)
            else:
                cells.append("")
        rows.append(cells)
    header = ["module", "lines", *(f"{labels[i]}: {step}" if step else labels[i] for i, step in columns)]
    return _table(header, rows)


def format_report(doc: dict[str, Any]) -> str:
    impls: list[str] = doc["settings"]["implementations"]
    labels = {i: doc["implementations"][i]["label"] for i in impls}
    notes = _Notes()
    out: list[str] = []
    mode = "quick (small sizes)" if doc["settings"]["quick"] else "full"
    out.append(f"Kernels: median seconds per call, {doc['settings']['rounds']} interleaved rounds, {mode}; "
               "every counted result equals CPython's")
    header = ["kernel", "n", *(labels[i] for i in impls)]
    rows: list[list[str]] = []
    for kernel, data in doc["kernels"].items():
        row = [kernel, str(data["n"])]
        for impl in impls:
            result = data["results"].get(impl, {"status": "n/a", "reason": "not run"})
            row.append(fmt_seconds(result["median_s"]) if result["status"] == "ok" and "median_s" in result
                       else _na(result, impl, notes))
        rows.append(row)
    out += _table(header, rows)
    for title, key in (("x faster than CPython (higher is better)", "faster_than_cpython"),
                       ("x slower than C (lower is better; 1.00x = C speed)", "slower_than_c")):
        out += ["", title]
        rows = []
        for kernel in doc["kernels"]:
            cells = [doc["ratios"][kernel].get(impl, {}).get(key) for impl in impls]
            rows.append([kernel, "", *(fmt_ratio(c) if c is not None else "-" for c in cells)])
        out += _table(header, rows)
    if doc.get("call_overhead"):
        out += ["", "Call overhead of add1(x) (net of the timing loop; lower is better)"]
        rows = []
        for impl, entry in doc["call_overhead"].items():
            if "net_ns" in entry:
                vs = entry.get("vs_c_extension")
                rows.append([labels.get(impl, impl), f"{entry['net_ns']:.1f} ns", f"{entry['gross_ns']:.1f} ns",
                             fmt_ratio(vs) if vs is not None else "-"])
            else:
                rows.append([labels.get(impl, impl), _na(entry, impl, notes), "", ""])
        out += _table(["implementation", "per call", "with loop", "vs C extension"], rows)
    if doc.get("compile"):
        out += ["", "Compile time per module (wall clock of each build step; Numba: first call minus a warm call)"]
        out += _compile_table(doc, impls, labels, notes)
        upgraded = [f"  {module}: {', '.join(row[HEADLINE]['notes'])}" for module, row in doc["compile"].items()
                    if row.get(HEADLINE, {}).get("notes")]
        if upgraded:
            out += ["", "What `pymigrate migrate` upgraded (and so what the pymigrate column compiles):", *upgraded]
    if doc.get("compiler_phases"):
        out += ["", "The compiler's phases in-process, hand-migrated modules (start-up excluded)"]
        rows = []
        for module, row in doc["compiler_phases"].items():
            if "seconds" in row:
                sec = row["seconds"]
                rows.append([module, str(row["lines"]), fmt_seconds(sec["front end"]), fmt_seconds(sec["LLVM"]),
                             fmt_seconds(sec["whole build"])])
            else:
                rows.append([module, "", _na({"reason": row["reason"]}, "pymigrate-hand", notes), "", ""])
        out += _table(["module", "lines", "front end", "LLVM -O3 + codegen", "whole build"], rows)
    if doc.get("imports"):
        imports = doc["imports"]
        out += ["", f"Import time of {imports.get('module', '?')} in a fresh interpreter (median; first call on n=SMALL)"]
        rows = []
        for impl, entry in imports.items():
            if impl == "module":
                continue
            cells = [labels.get(impl, impl)]
            for state in ("cached", "uncached"):
                got = entry.get(state)
                if got is None:
                    cells += [_na({"status": "n/a", "reason": entry.get("reason", f"no {state} state")}, impl, notes), ""]
                else:
                    cells += [fmt_seconds(got["import_s"]), fmt_seconds(got["first_call_s"])]
            rows.append(cells)
        out += _table(["implementation", "cached import", "+ first call", "uncached import", "+ first call"], rows)
    for impl in dict.fromkeys(g.get("implementation", HEADLINE) for g in doc.get("goals", [])):
        out += ["", f"Goals ({labels.get(impl, impl)})"]
        rows = [[g["goal"], g["target"], g["measured"],
                 "met" if g["met"] else "MISSED" if g["met"] is False else f"not measured {notes.ref('goal', g['detail'])}"]
                for g in doc["goals"] if g.get("implementation", HEADLINE) == impl]
        out += _table(["goal", "target", "measured", "status"], rows)
    if notes.items:
        out += ["", "Notes:", *notes.render()]
    return "\n".join(out) + "\n"
