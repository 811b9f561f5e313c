"""Each package's workload timed side by side: CPython, pymigrate's build, Cython and mypyc of the
same unchanged package. Each implementation runs in its own interpreter, in interleaved rounds; a
result that differs from CPython's is reported and its time not counted."""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import sysconfig
import textwrap
from pathlib import Path
from typing import Any

from benchmarks.realpkgs.packages import Spec
from benchmarks.realpkgs.pipeline import Layout, Result, _run, base_env

IMPLS = ("cpython", "pymigrate", "cython", "mypyc")

WORKER = textwrap.dedent('''
    import json, sys, time
    jobs, package, target = json.loads(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    out = {}
    for job in jobs:
        try:
            env = {}
            exec(job["setup"], env)
            code = compile(job["run"], "<" + job["label"] + ">", "exec")
            exec(code, env)
            result = repr(env.get("result"))
            inner = 1
            while True:
                start = time.perf_counter()
                for _ in range(inner):
                    exec(code, env)
                if time.perf_counter() - start >= target:
                    break
                inner *= 2
            samples = []
            for _ in range(3):
                start = time.perf_counter()
                for _ in range(inner):
                    exec(code, env)
                samples.append((time.perf_counter() - start) / inner)
            out[job["label"]] = {"samples": samples, "result": result}
        except BaseException as exc:  # one job that fails says why; the others are still timed
            out[job["label"]] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    native = sorted(n for n, m in sys.modules.items() if (n == package or n.startswith(package + "."))
                    and str(getattr(m, "__file__", "")).endswith(".so"))
    print(json.dumps({"jobs": out, "native": native}))
''')

WORKLOAD = "workload"


CYTHON_SETUP = """
import sys
from setuptools import setup
from Cython.Build import cythonize
setup(ext_modules=cythonize(sys.argv[1:], language_level=3, quiet=True), packages=[], py_modules=[],
      script_name="setup.py", script_args=["-q", "build_ext", "--inplace"])
"""


def build_cython(layout: Layout) -> tuple[Path | None, float, str]:
    """What `cythonize -i -3` does to the unchanged modules (an `__init__` stays Python), through a setup
    call that names no packages: the `cythonize` command lets setuptools discover packages in the sdist
    root, which fails on flat layouts ("Multiple top-level packages discovered")."""
    root = layout.work / "cython"
    shutil.copytree(layout.root("orig"), root)
    import_root = _import_root(layout, root)
    files = [str(p.relative_to(import_root)) for p in _modules(layout, root) if p.name != "__init__.py"]
    # No debug info: the same code, built in a fraction of the time. setuptools replaces the interpreter's
    # CFLAGS (-O3 -DNDEBUG -fwrapv) by $CFLAGS when it is set, so they are passed on with -g0 after them (a
    # bare CFLAGS=-g0 compiled Cython's C at -O0, half CPython's speed on idna).
    env = dict(base_env(), CFLAGS=f"{sysconfig.get_config_var('CFLAGS') or ''} -g0")
    step = _run([sys.executable, "-c", CYTHON_SETUP, *files], import_root, env, timeout=1800)
    if step.exit != 0:
        return None, step.seconds, _tail(step.log)
    return import_root, step.seconds, ""


def build_mypyc(layout: Layout) -> tuple[Path | None, float, str]:
    """mypyc (it ships with mypy) on the unchanged modules, from the import root."""
    root = layout.work / "mypyc"
    shutil.copytree(layout.root("orig"), root)
    import_root = _import_root(layout, root)
    files = [str(p.relative_to(import_root)) for p in _modules(layout, root)]
    step = _run([sys.executable, "-m", "mypyc", *files], import_root, timeout=1800)
    if step.exit != 0:
        return None, step.seconds, _tail(step.log)
    return import_root, step.seconds, ""


def _tail(log: str) -> str:
    lines = [line for line in log.strip().splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return " | ".join((errors or lines)[-3:])[:500]


def _import_root(layout: Layout, root: Path) -> Path:
    return root / layout.spec.import_root if layout.spec.import_root else root


def _modules(layout: Layout, root: Path) -> list[Path]:
    """The package's modules in the copy at root, less its data-only tables."""
    orig, pkg = layout.root("orig"), layout.package("orig")
    return [root / p.relative_to(orig) for p in layout.modules("orig")
            if not any(p.relative_to(pkg).match(pattern) for pattern in layout.spec.tables)]


def jobs(spec: Spec) -> list[dict[str, str]]:
    """The whole workload, then each hot function."""
    return [{"label": WORKLOAD, "setup": spec.setup, "run": spec.run},
            *({"label": h.label, "setup": h.setup, "run": h.run} for h in spec.hot)]


def measure(layout: Layout, result: Result, rounds: int, target: float, impls: tuple[str, ...] = IMPLS) -> dict[str, Any]:
    """Per job (the workload, each hot function) and implementation: the median time, the speedup over
    CPython, or the reason there is none (a build that failed, a result that is not CPython's, an error)."""
    spec = layout.spec
    todo = jobs(spec)
    roots: dict[str, Path | None] = {"cpython": layout.import_root("orig"), "pymigrate": layout.import_root("built")}
    report: dict[str, Any] = {"workload": spec.run, "impls": {}, "jobs": {}}
    for name, builder in (("cython", build_cython), ("mypyc", build_mypyc)):
        if name not in impls:
            continue
        root, seconds, error = builder(layout)
        roots[name] = root
        report["impls"][name] = {"build_s": round(seconds, 2), **({"error": error} if error else {})}
    samples: dict[tuple[str, str], list[float]] = {}
    results: dict[str, str] = {}
    errors: dict[tuple[str, str], str] = {}
    for index in range(rounds):
        order = list(impls[index % len(impls):] + impls[:index % len(impls)])
        for name in order:
            root = roots.get(name)
            cell = report["impls"].setdefault(name, {})
            if root is None or "error" in cell:
                continue
            env = base_env()
            env["PYTHONPATH"] = str(root)
            step = _run([sys.executable, "-c", WORKER, json.dumps(todo), spec.import_name, str(target)],
                        layout.work, env, timeout=1200)
            if step.exit != 0:
                cell["error"] = f"the timing interpreter exited {step.exit}: {_tail(step.log)}"
                continue
            data = json.loads(step.log.strip().splitlines()[-1])
            cell["native"] = data["native"]
            for label, got in data["jobs"].items():
                if "error" in got:
                    errors[(label, name)] = got["error"]
                elif name == "cpython":
                    results[label] = got["result"]
                    samples.setdefault((label, name), []).extend(got["samples"])
                elif label in results and got["result"] != results[label]:
                    errors[(label, name)] = f"result differs from CPython's: {got['result'][:200]}"
                else:
                    samples.setdefault((label, name), []).extend(got["samples"])
    compiled = {f"{module}.{name}" for module, names in result.fns.items() for name in names}
    for job in todo:
        label = job["label"]
        row: dict[str, Any] = {"compiled": label in compiled, "result_excerpt": results.get(label, "")[:200]}
        base_samples = samples.get((label, "cpython"))
        base = statistics.median(base_samples) if base_samples else None
        for name in impls:
            if (label, name) in errors:
                row[name] = {"error": errors[(label, name)]}
            elif samples.get((label, name)) and (label, name) not in errors:
                median = statistics.median(samples[(label, name)])
                row[name] = {"median_s": median, **({"speedup": round(base / median, 3)} if base else {})}
            else:
                row[name] = {"error": report["impls"].get(name, {}).get("error", "not timed")}
        report["jobs"][label] = row
    for name in impls:  # the workload's figures also stay where earlier runs' JSON had them
        cell, workload = report["impls"].setdefault(name, {}), report["jobs"][WORKLOAD][name]
        if "error" in workload:
            cell.setdefault("error", workload["error"])
        else:
            cell.update(workload)
    return report


def ratio(report: dict[str, Any], a: str, b: str, job: str = WORKLOAD) -> float | None:
    """How many times faster implementation a is than b on a job (the workload by default)."""
    row = report.get("jobs", {}).get(job, {})
    x, y = row.get(a, {}), row.get(b, {})
    if "median_s" in x and "median_s" in y:
        return float(y["median_s"]) / float(x["median_s"])
    return None


