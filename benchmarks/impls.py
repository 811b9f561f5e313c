"""The implementations compared side by side: how each one is built (in the harness process) and
loaded (in its own worker process).

Each implementation turns a module (a kernel, or calls/trivial.py for call overhead) into an object
whose attributes are the module's functions. `build` runs once per module and is timed (that is the
compile time in the report); `load` runs inside a worker so that a crash, a leak or a JIT of one
implementation cannot disturb the others.
"""

from __future__ import annotations

import ctypes
import dataclasses
import importlib
import importlib.machinery
import importlib.util
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

BENCH_DIR = Path(__file__).resolve().parent
C_DIR = BENCH_DIR / "c"
REPO_ROOT = BENCH_DIR.parent
EXT_SUFFIX = str(sysconfig.get_config_var("EXT_SUFFIX") or ".so")
CC = shutil.which("cc") or shutil.which("gcc") or "cc"
# -ffp-contract=off: CPython never fuses a*b+c into one rounding, so neither may the C baseline
# (GCC fuses by default under -march=native, which would change float results).
C_FLAGS = ["-O3", "-march=native", "-ffp-contract=off", "-fPIC", "-shared"]


@dataclass
class Build:
    """What building one module produced. `artifact` is what `load` needs; `error` means n/a."""

    artifact: str = ""
    error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # step -> wall time
    notes: list[str] = field(default_factory=list)


class Unavailable(Exception):
    """The implementation cannot run here; the message says why (shown as `n/a (why)`)."""


def _run(cmd: list[str], cwd: Path, step: str, timeout: float = 300.0) -> float:
    """Run one build step; its wall time, or Unavailable with the tail of its output."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Unavailable(f"{step} timed out after {timeout:.0f} s") from None
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-3:]
        raise Unavailable(f"{step} failed (exit {proc.returncode}): {' | '.join(tail)}")
    return elapsed


def _load_extension(name: str, path: str) -> types.ModuleType:
    loader = importlib.machinery.ExtensionFileLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    if spec is None:
        raise Unavailable(f"cannot load extension {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def _load_source(name: str, path: Path) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
    return module


def _missing(module: str) -> str | None:
    try:
        return None if importlib.util.find_spec(module) is not None else f"{module} is not installed"
    except ModuleNotFoundError as exc:
        return f"{exc.name} is not available"


class Implementation:
    """A column of the table: how a kernel is built (once, timed) and loaded in a worker.

    Build and load are separate so that build time is reported apart and never counted as run time.
    """

    name = ""
    label = ""

    def unavailable(self) -> str | None:
        """None when this implementation can run on this machine, else the reason it cannot."""
        return None

    def build(self, name: str, source: Path, build_dir: Path) -> Build:
        return Build(artifact=str(source))

    def load(self, name: str, artifact: str, source: Path, returns: str) -> object:
        raise NotImplementedError


class CPython(Implementation):
    name = "cpython"
    label = "CPython"

    def load(self, name: str, artifact: str, source: Path, returns: str) -> object:
        return _load_source(name, source)


class C(Implementation):
    """The C versions in benchmarks/c/: kernels through ctypes (under a microsecond a call, against
    kernel calls of milliseconds), the call-overhead baseline as a real extension module."""

    name = "c"
    label = "C (cc -O3)"
    flags: tuple[str, ...] = tuple(C_FLAGS)

    def unavailable(self) -> str | None:
        return None if shutil.which(CC) else "no C compiler (cc) on PATH"

    def build(self, name: str, source: Path, build_dir: Path) -> Build:
        out_dir = build_dir / self.name
        out_dir.mkdir(parents=True, exist_ok=True)
        if name == "trivial":
            c_source = C_DIR / "callext.c"
            out = out_dir / f"callext{EXT_SUFFIX}"
            include = sysconfig.get_paths()["include"]
            cmd = [CC, *self.flags, f"-I{include}", str(c_source), "-o", str(out)]
        else:
            c_source = C_DIR / f"{name}.c"
            out = out_dir / f"lib{name}.so"
            cmd = [CC, *self.flags, str(c_source), "-o", str(out), "-lm"]
        if not c_source.exists():
            return Build(error=f"no C version ({c_source.relative_to(REPO_ROOT)} is missing)")
        try:
            seconds = _run(cmd, out_dir, "cc")
        except Unavailable as exc:
            return Build(error=str(exc))
        return Build(artifact=str(out), seconds={"cc": seconds})

    def load(self, name: str, artifact: str, source: Path, returns: str) -> object:
        if name == "trivial":
            return _load_extension("callext", artifact)
        lib = ctypes.CDLL(artifact)
        func = getattr(lib, name)
        func.argtypes = [ctypes.c_longlong]
        func.restype = ctypes.c_double if returns == "float" else ctypes.c_longlong
        return types.SimpleNamespace(**{name: func})


class CScalar(C):
    """The same C without auto-vectorization: separates what SIMD buys C from everything else."""

    name = "c-scalar"
    label = "C scalar (no SIMD)"
    flags = (*C_FLAGS, "-fno-tree-vectorize", "-fno-tree-slp-vectorize")

    def build(self, name: str, source: Path, build_dir: Path) -> Build:
        if name == "trivial":
            return Build(error="same extension as the C column")
        return super().build(name, source, build_dir)


class Numba(Implementation):
    """The unchanged kernel with every function under `numba.njit` and every annotated class under
    `jitclass` (its fields typed by the class annotations). Compilation happens at the first call."""

    name = "numba"
    label = "Numba @njit"

    def unavailable(self) -> str | None:
        return _missing("numba")

    def load(self, name: str, artifact: str, source: Path, returns: str) -> object:
        return numba_module(name, source, cache=False)


def numba_module(name: str, source: Path, *, cache: bool) -> types.ModuleType:
    numba = importlib.import_module("numba")  # optional (the bench extra): no static import
    jitclass = importlib.import_module("numba.experimental").jitclass

    module = _load_source(name, source)
    namespace = module.__dict__
    for key, value in list(namespace.items()):
        if isinstance(value, type) and value.__module__ == name and value.__dict__.get("__annotations__"):
            if dataclasses.is_dataclass(value):
                # jitclass takes no dataclass machinery: keep the fields and the generated __init__.
                value = type(key, (), {"__annotations__": value.__annotations__, "__init__": value.__init__,
                                       "__module__": name})
            namespace[key] = jitclass(value)
    for key, value in list(namespace.items()):
        if isinstance(value, types.FunctionType) and value.__module__ == name:
            namespace[key] = numba.njit(cache=cache)(value)
    return module


class Mypyc(Implementation):
    """The unchanged kernel compiled by mypyc (shipped with mypy) into an extension module."""

    name = "mypyc"
    label = "mypyc"

    def unavailable(self) -> str | None:
        return _missing("mypyc") or _missing("setuptools")

    def build(self, name: str, source: Path, build_dir: Path) -> Build:
        out = build_dir / "mypyc" / name
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        # Build outside the repository so that mypy sees a lone module, not the repo's config/packages.
        with tempfile.TemporaryDirectory(prefix="bench-mypyc-") as tmp:
            work = Path(tmp)
            shutil.copy(source, work / source.name)
            try:
                seconds = _run([sys.executable, "-m", "mypyc", source.name], work, "mypyc")
            except Unavailable as exc:
                return Build(error=str(exc))
            for lib in work.glob("*.so"):
                shutil.copy(lib, out / lib.name)
        built = sorted(out.glob(f"{name}.*.so"))
        if not built:
            return Build(error=f"mypyc produced no {name}{EXT_SUFFIX}")
        return Build(artifact=str(built[0]), seconds={"mypyc": seconds})

    def load(self, name: str, artifact: str, source: Path, returns: str) -> object:
        sys.path.insert(0, str(Path(artifact).parent))  # a multi-module build has a shared runtime lib
        return _load_extension(name, artifact)


def _upgraded(pys: Path) -> tuple[int, int]:
    """How many `fn` and `struct` definitions a superset file has (what actually got compiled)."""
    text = pys.read_text(encoding="utf-8")
    return (len(re.findall(r"^\s*fn\s+\w+", text, re.M)), len(re.findall(r"^\s*struct\s+\w+", text, re.M)))


def _pymigrate(*args: str) -> list[str]:
    return [sys.executable, "-m", "pymigrate", *args]


class PymigratePipeline(Implementation):
    """The headline column: `pymigrate migrate --write` on a copy of the kernel, then
    `pymigrate build`, then the resulting extension module imported like any other."""

    name = "pymigrate"
    label = "pymigrate"

    def build(self, name: str, source: Path, build_dir: Path) -> Build:
        work = build_dir / "pymigrate" / name
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        shutil.copy(source, work / source.name)
        result = Build()
        try:
            result.seconds["migrate"] = _run(_pymigrate("migrate", "--write", str(work)), work, "pymigrate migrate")
            pys = work / f"{name}.pys"
            if not pys.exists():
                return Build(error=f"pymigrate migrate wrote no {name}.pys (nothing upgraded)", seconds=result.seconds)
            fns, structs = _upgraded(pys)
            result.notes.append(f"{fns} fn, {structs} struct upgraded")
            result.seconds["build"] = _run(_pymigrate("build", str(work)), work, "pymigrate build")
        except Unavailable as exc:
            return Build(error=str(exc), seconds=result.seconds, notes=result.notes)
        built = sorted(work.glob(f"{name}.*.so"))
        if not built:
            return Build(error=f"pymigrate build produced no {name}{EXT_SUFFIX}", seconds=result.seconds)
        result.artifact = str(built[0])
        return result

    def load(self, name: str, artifact: str, source: Path, returns: str) -> object:
        return _load_extension(name, artifact)


class PymigrateHand(Implementation):
    """The compiler measured on hand-migrated superset versions (benchmarks/kernels/<k>.pys), built
    with `pymigrate build`."""

    name = "pymigrate-hand"
    label = "pymigrate (hand-migrated)"

    def build(self, name: str, source: Path, build_dir: Path) -> Build:
        pys = source.with_suffix(".pys")
        if not pys.exists():
            return Build(error=f"no hand-migrated {pys.name}")
        work = build_dir / "pymigrate-hand" / name
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        shutil.copy(pys, work / pys.name)
        try:
            seconds = _run(_pymigrate("build", str(work)), work, "pymigrate build")
        except Unavailable as exc:
            return Build(error=str(exc))
        built = sorted(work.glob(f"{name}.*.so"))
        if not built:
            return Build(error=f"pymigrate build produced no {name}{EXT_SUFFIX}")
        fns, structs = _upgraded(pys)
        return Build(artifact=str(built[0]), seconds={"build": seconds}, notes=[f"{fns} fn, {structs} struct"])

    def load(self, name: str, artifact: str, source: Path, returns: str) -> object:
        return _load_extension(name, artifact)


IMPLEMENTATIONS: dict[str, Callable[[], Implementation]] = {
    cls.name: cls for cls in (CPython, C, CScalar, Numba, Mypyc, PymigratePipeline, PymigrateHand)
}
ORDER = tuple(IMPLEMENTATIONS)


def get(name: str) -> Implementation:
    return IMPLEMENTATIONS[name]()
