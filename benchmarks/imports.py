"""Import time in a fresh interpreter, cached and uncached, for one representative kernel module.

"Import" is the import statement alone; "first call" is the first call of the entry on n=SMALL right
after it (Numba compiles there). Cached means the implementation's own cache is warm (CPython's .pyc,
Numba's on-disk cache, pymigrate's import-hook cache); an ahead-of-time build (mypyc, pymigrate build)
only has the cached state: its uncached cost is its compile time.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import impls
from benchmarks.kernels import Kernel

PREFERRED = "spectral_norm"

_PROBE = """
import json, sys, time
{setup}
t0 = time.perf_counter()
{load}
t1 = time.perf_counter()
mod.{entry}({n})
t2 = time.perf_counter()
print(json.dumps({{"import_s": t1 - t0, "first_call_s": t2 - t1}}))
"""


def _probe(setup: str, load: str, kernel: Kernel, env: dict[str, str] | None = None, flags: tuple[str, ...] = ()) -> dict[str, float]:
    code = _PROBE.format(setup=setup, load=load, entry=kernel.entry, n=kernel.small)
    full_env = dict(os.environ, PYTHONPATH=str(impls.REPO_ROOT), **(env or {}))
    proc = subprocess.run([sys.executable, *flags, "-c", code], capture_output=True, text=True, env=full_env,
                          cwd=tempfile.gettempdir(), timeout=300)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"exit {proc.returncode}: {tail[0][:200]}")
    data: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return data


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in runs) for key in ("import_s", "first_call_s")}


def _measure_one(impl: str, kernel: Kernel, build: impls.Build, work: Path, repeats: int) -> dict[str, Any]:
    name = kernel.name
    plain_import = f"sys.path.insert(0, {{dir!r}})\nimport {name} as mod"
    result: dict[str, Any] = {}
    if impl == "cpython":
        src = work / "src"
        src.mkdir(parents=True)
        shutil.copy(kernel.path, src / kernel.path.name)
        load = plain_import.format(dir=str(src))
        prefix = work / "pycache"
        _probe("", load, kernel, flags=("-X", f"pycache_prefix={prefix}"))  # writes the .pyc
        result["cached"] = _median([_probe("", load, kernel, flags=("-X", f"pycache_prefix={prefix}"))
                                    for _ in range(repeats)])
        result["uncached"] = _median([_probe("", load, kernel, flags=("-B", "-X", f"pycache_prefix={work / f'empty{i}'}"))
                                      for i in range(repeats)])
    elif impl == "numba":
        setup = "from benchmarks.impls import numba_module\nfrom pathlib import Path"
        load = f"mod = numba_module({name!r}, Path({str(kernel.path)!r}), cache=True)"
        uncached = []
        for i in range(repeats):
            uncached.append(_probe(setup, load, kernel, env={"NUMBA_CACHE_DIR": str(work / f"cold{i}")}))
        warm = {"NUMBA_CACHE_DIR": str(work / "warm")}
        _probe(setup, load, kernel, env=warm)
        result["cached"] = _median([_probe(setup, load, kernel, env=warm) for _ in range(repeats)])
        result["uncached"] = _median(uncached)
    elif impl in ("mypyc", "pymigrate", "pymigrate-hand") and not build.artifact.startswith("jit:"):
        load = plain_import.format(dir=str(Path(build.artifact).parent))
        result["cached"] = _median([_probe("", load, kernel) for _ in range(repeats)])
        result["reason"] = "ahead-of-time build: its uncached cost is the compile time"
    else:
        result["reason"] = "no importable module for this implementation"
    return result


def _measure_hook(kernel: Kernel, work: Path, repeats: int) -> dict[str, Any]:
    """The `.pys` import hook on the hand-migrated module: compiled on first import, then cached."""
    pys = kernel.hand_migrated
    if not pys.exists():
        return {"reason": f"no hand-migrated {pys.name}"}
    import pymigrate.importer  # noqa: F401  (installs the hook)
    src = work / "src"
    src.mkdir(parents=True)
    shutil.copy(pys, src / pys.name)
    load = f"import pymigrate.importer\nsys.path.insert(0, {str(src)!r})\nimport {kernel.name} as mod"
    uncached = [_probe("", load, kernel, env={"PYMIGRATE_CACHE_DIR": str(work / f"cold{i}")}) for i in range(repeats)]
    warm = {"PYMIGRATE_CACHE_DIR": str(work / "warm")}
    _probe("", load, kernel, env=warm)
    return {"cached": _median([_probe("", load, kernel, env=warm) for _ in range(repeats)]),
            "uncached": _median(uncached)}


def measure(kernels: list[Kernel], names: list[str], builds: dict[str, dict[str, impls.Build]],
            build_dir: Path, repeats: int) -> dict[str, Any]:
    chosen = next((k for k in kernels if k.name == PREFERRED), kernels[0] if kernels else None)
    if chosen is None:
        return {}
    root = build_dir / "imports"
    shutil.rmtree(root, ignore_errors=True)
    out: dict[str, Any] = {"module": chosen.name}
    for impl in names:
        if impl in ("c", "c-scalar"):
            continue  # the C kernels are loaded with ctypes, not imported
        build = builds[chosen.name][impl]
        if build.error is not None:
            out[impl] = {"reason": build.error}
            continue
        try:
            out[impl] = _measure_one(impl, chosen, build, root / impl, repeats)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            out[impl] = {"reason": f"import failed: {exc}"}
    if "pymigrate-hand" in names:
        try:
            out["pymigrate-hook"] = _measure_hook(chosen, root / "hook", repeats)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            out["pymigrate-hook"] = {"reason": f"import failed: {exc}"}
    return out
