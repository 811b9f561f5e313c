"""Each package's workload timed side by side: CPython, pymigrate's build, Cython and mypyc of the
same unchanged package. Each implementation runs in its own interpreter, in interleaved rounds; a
result that differs from CPython's is reported and its time not counted."""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import textwrap
from pathlib import Path
from typing import Any

from benchmarks.realpkgs.pipeline import Layout, Result, _run, base_env

IMPLS = ("cpython", "pymigrate", "cython", "mypyc")

WORKER = textwrap.dedent('''
    import json, sys, time
    setup, run, package, target = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    env = {}
    exec(setup, env)
    code = compile(run, "<workload>", "exec")
    exec(code, env)
    result = repr(env.get("result"))
    inner, elapsed = 1, 0.0
    while True:
        start = time.perf_counter()
        for _ in range(inner):
            exec(code, env)
        elapsed = time.perf_counter() - start
        if elapsed >= target:
            break
        inner *= 2
    samples = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(inner):
            exec(code, env)
        samples.append((time.perf_counter() - start) / inner)
    native = sorted(n for n, m in sys.modules.items() if (n == package or n.startswith(package + "."))
                    and str(getattr(m, "__file__", "")).endswith(".so"))
    print(json.dumps({"samples": samples, "result": result, "native": native}))
''')


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
    env = dict(base_env(), CFLAGS="-g0")  # no debug info: the same code, built in a fraction of the time
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


def measure(layout: Layout, result: Result, rounds: int, target: float, impls: tuple[str, ...] = IMPLS) -> dict[str, Any]:
    spec = layout.spec
    roots: dict[str, Path | None] = {"cpython": layout.import_root("orig"), "pymigrate": layout.import_root("built")}
    report: dict[str, Any] = {"workload": spec.run, "impls": {}}
    for name, builder in (("cython", build_cython), ("mypyc", build_mypyc)):
        if name not in impls:
            continue
        root, seconds, error = builder(layout)
        roots[name] = root
        report["impls"][name] = {"build_s": round(seconds, 2), **({"error": error} if error else {})}
    samples: dict[str, list[float]] = {name: [] for name in impls}
    for index in range(rounds):
        order = list(impls[index % len(impls):] + impls[:index % len(impls)])
        for name in order:
            root = roots.get(name)
            cell = report["impls"].setdefault(name, {})
            if root is None or "error" in cell:
                continue
            env = base_env()
            env["PYTHONPATH"] = str(root)
            step = _run([sys.executable, "-c", WORKER, spec.setup, spec.run, spec.import_name, str(target)],
                        layout.work, env, timeout=600)
            if step.exit != 0:
                cell["error"] = _tail(step.log)
                continue
            data = json.loads(step.log.strip().splitlines()[-1])
            cell["native"] = data["native"]
            if name == "cpython":
                report["result"] = data["result"]
                report["result_excerpt"] = data["result"][:300]
            elif data["result"] != report.get("result"):
                cell["error"] = f"result differs from CPython's: {data['result'][:300]}"
                continue
            samples[name].extend(data["samples"])
    base = statistics.median(samples["cpython"]) if samples.get("cpython") else None
    for name in impls:
        cell = report["impls"].setdefault(name, {})
        if samples[name] and "error" not in cell:
            cell["median_s"] = statistics.median(samples[name])
            if base:
                cell["speedup"] = round(base / cell["median_s"], 3)
    return report


def ratio(report: dict[str, Any], a: str, b: str) -> float | None:
    """How many times faster implementation a is than b on the workload."""
    x, y = report.get("impls", {}).get(a, {}), report.get("impls", {}).get(b, {})
    if "median_s" in x and "median_s" in y:
        return float(y["median_s"]) / float(x["median_s"])
    return None


