"""Type-inference benchmark over packages whose types people wrote: typeshed stubs, shipped stubs, inline.

    python benchmarks/infer/suite.py [--package NAME ...] [--trace | --no-trace] [--timeout S] [--misses]

Each package is pinned. Its untyped source (and, for the typeshed packages, its ``types-*`` stub
distribution) is downloaded with pip into a cache at run time, never installed. Ground truth is what people
wrote: the stub's annotation of each parameter and return that the source defines (``Incomplete``, typeshed's
"not typed yet", and overloaded functions say nothing and are not scored); the ``.pyi`` files a package ships
next to its sources; or the package's own inline annotations, stripped before inference. Every inline
annotation of the source is removed before inference in all three cases.

Per package, in a child process bounded by ``--timeout``: exact and coverage (benchmarks/infer/normalize.py;
type variables are compared by their order of appearance in the signature, ``_T`` = ``T``), the mypy errors
added in the package and in its callers (the package's own tests, type-checked against the stripped and
then the annotated package), the inference time and the peak memory of the process and its children.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from normalize import normalize, type_aliases  # noqa: E402
from run import Slot, Stripper, write_annotations  # noqa: E402

if TYPE_CHECKING:
    from pymigrate.migrate.infer import PackageTypes

PYTEST = "{python} -m pytest -q -p no:cacheprovider -p no:randomly"


@dataclass(frozen=True)
class Spec:
    """A pinned package: where its modules sit in the source tree, what its truth is, who calls it."""
    dist: str                       # the PyPI name and version of the untyped source
    version: str
    root: str                       # directory of the source tree that holds the import package
    modules: tuple[str, ...]        # files or directories under root that are inferred and scored
    truth: str                      # "stubs" (a types-* distribution), "pyi" (shipped next to the source), "inline"
    stubs: str = ""                 # "types-six==1.17.0.20261008"
    callers: tuple[str, ...] = ()   # test files or directories of the source tree, type-checked as callers
    trace: str = ""                 # the test command (from the source tree) when tracing is cheap
    wheel: bool = False             # the source comes from the wheel (an sdist whose metadata cannot be built)
    exclude: tuple[str, ...] = ()   # directories under the modules that are not the package (its tests)


SPECS: dict[str, Spec] = {
    "cachetools": Spec("cachetools", "7.0.0", "src", ("cachetools",), "stubs", "types-cachetools==7.0.0.20260713",
                       callers=("tests",), trace=PYTEST + " tests"),
    "dateutil": Spec("python-dateutil", "2.9.0.post0", "src", ("dateutil/relativedelta.py", "dateutil/rrule.py",
                                                               "dateutil/easter.py", "dateutil/utils.py",
                                                               "dateutil/_common.py"), "stubs",
                     "types-python-dateutil==2.9.0.20261122",
                     callers=("tests/test_relativedelta.py", "tests/test_easter.py", "tests/test_utils.py")),
    "docutils": Spec("docutils", "0.22.3", ".", ("docutils/statemachine.py", "docutils/io.py", "docutils/core.py",
                                               "docutils/examples.py"), "stubs",
                     "types-docutils==0.22.3.20251115", callers=("test/test_statemachine.py", "test/test_io.py")),
    "humanize": Spec("humanize", "4.17.0", "src", ("humanize",), "inline", callers=("tests",),
                     trace=PYTEST + " -x tests --ignore=tests/test_benchmarks.py"),
    "more-itertools": Spec("more-itertools", "10.8.0", ".", ("more_itertools/recipes.py",), "pyi",
                           callers=("tests/test_recipes.py",), trace=PYTEST + " tests/test_recipes.py"),
    "packaging": Spec("packaging", "26.3", "src", ("packaging",), "inline", callers=("tests",),
                      trace=PYTEST + " tests --ignore=tests/property -k 'not test_manylinux and not test_musllinux'"),
    "pyasn1": Spec("pyasn1", "0.6.1", ".", tuple(f"pyasn1/type/{m}.py" for m in (
                       "tag", "tagmap", "namedval", "namedtype", "constraint", "opentype", "error")), "stubs",
                   "types-pyasn1==0.6.0.20260724", callers=("tests/type/test_tag.py", "tests/type/test_namedtype.py",
                                                            "tests/type/test_constraint.py")),
    "simplejson": Spec("simplejson", "3.20.1", ".", ("simplejson",), "stubs", "types-simplejson==3.20.0.20260518",
                       exclude=("simplejson/tests",), callers=("simplejson/tests/test_dump.py",
                                                              "simplejson/tests/test_decode.py"),
                       trace=PYTEST + " simplejson/tests"),
    "six": Spec("six", "1.17.0", ".", ("six.py",), "stubs", "types-six==1.17.0.20261008", callers=("test_six.py",),
                trace=PYTEST + " test_six.py"),
    "tabulate": Spec("tabulate", "0.9.0", ".", ("tabulate",), "stubs", "types-tabulate==0.9.0.20241207",
                     callers=("test/test_api.py", "test/test_output.py"), trace=PYTEST + " test"),
    "yaml": Spec("PyYAML", "6.0.2", ".", ("yaml",), "stubs", "types-PyYAML==6.0.12.20261122", wheel=True),
}


@dataclass
class Result:
    package: str
    slots: int = 0
    covered: int = 0
    exact: int = 0
    any_slots: int = 0              # truth that names Any: no engine that never writes Any can match it
    errors_before: int = 0          # mypy errors of the stripped package (check_untyped_defs)
    errors_after: int = 0
    callers_before: int = 0         # errors in the callers, against the stripped and the annotated package
    callers_after: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    traced: bool = False
    failed: str = ""
    misses: list[str] = field(default_factory=list)
    second: int = -1                # slots a second run adds to the written files (-1: not run)
    second_slots: list[str] = field(default_factory=list)

    @property
    def exact_pct(self) -> float:
        return 100.0 * self.exact / max(self.slots, 1)

    @property
    def coverage_pct(self) -> float:
        return 100.0 * self.covered / max(self.slots, 1)

    def row(self) -> str:
        if self.failed:
            return f"{self.package:<15} {self.slots:>6}   {'failed: ' + self.failed}"
        return (f"{self.package:<15} {self.slots:>6} {self.exact_pct:>7.1f}% {self.coverage_pct:>8.1f}%"
                f" {self.errors_after - self.errors_before:>+7d} {self.callers_after - self.callers_before:>+8d}"
                f" {self.any_slots:>5} {self.seconds:>8.1f}s {self.peak_mb:>7.0f}MB {'trace' if self.traced else 'static'}"
                + (f" {self.second:>4}" if self.second >= 0 else ""))


HEADER = (f"{'package':<15} {'slots':>6} {'exact':>8} {'coverage':>9} {'mypy Δ':>7} {'callers':>8} {'Any':>5}"
          f" {'time':>9} {'memory':>9} evidence 2nd")


# --- fetching ----------------------------------------------------------------------------------------------

def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", *args], check=True,
                   stdout=subprocess.DEVNULL)


def _one_child(directory: Path) -> Path:
    children = [c for c in directory.iterdir() if c.is_dir()]
    return children[0] if len(children) == 1 else directory


def _settle(partial: Path, target: Path) -> None:
    """Moves an extracted download into place; another run that got there first wins."""
    try:
        partial.rename(target)
    except OSError:
        if not target.exists():
            raise
        shutil.rmtree(partial, ignore_errors=True)


def fetch_source(spec: Spec, cache: Path) -> Path:
    """The extracted source tree of the pinned distribution (the wheel's contents when ``spec.wheel``)."""
    target = cache / "src" / f"{spec.dist}-{spec.version}"
    if not target.exists():
        download = cache / "download" / f"{spec.dist}-{spec.version}"
        download.mkdir(parents=True, exist_ok=True)
        kind = "--only-binary" if spec.wheel else "--no-binary"
        _pip(kind, ":all:", f"{spec.dist}=={spec.version}", "-d", str(download))
        archive = next(download.iterdir())
        partial = target.with_name(f"{target.name}.part{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as z:
                z.extractall(partial)
        else:
            with tarfile.open(archive) as tar:
                tar.extractall(partial, filter="data")
        _settle(partial, target)
    return target if spec.wheel else _one_child(target)


def fetch_stubs(spec: Spec, cache: Path) -> Path:
    """The extracted stub distribution (its ``NAME-stubs`` directories)."""
    target = cache / "stubs" / spec.stubs.replace("==", "-")
    if not target.exists():
        download = cache / "download" / spec.stubs.replace("==", "-")
        download.mkdir(parents=True, exist_ok=True)
        _pip("--only-binary", ":all:", spec.stubs, "-d", str(download))
        partial = target.with_name(f"{target.name}.part{os.getpid()}")
        shutil.rmtree(partial, ignore_errors=True)
        with zipfile.ZipFile(next(download.glob("*.whl"))) as z:
            z.extractall(partial)
        _settle(partial, target)
    return target


# --- ground truth ------------------------------------------------------------------------------------------

Truth = dict[tuple[str, str, str], str]     # (module file, qualname, "param:x" | "return") -> annotation


def _typevars(tree: ast.Module) -> set[str]:
    out = set()
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name):
            func = stmt.value.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in ("TypeVar", "ParamSpec", "TypeVarTuple"):
                out.add(stmt.targets[0].id)
    return out


def stub_truth(relpath: str, stub: Path) -> tuple[Truth, dict[str, list[str]], set[str], dict[str, ast.expr]]:
    """The annotated slots of a stub, the positional parameter names of each function (a stub's ``__x`` or
    ``/`` names a parameter by position), its type variables and aliases. A function the stub defines twice
    (overloads, version branches) is left out: no one slot type is the author's."""
    text = stub.read_text(encoding="utf-8")
    tree = ast.parse(text)
    seen: dict[str, int] = {}
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []

    def scan(body: list[ast.stmt], prefix: str) -> None:
        for stmt in body:
            if isinstance(stmt, ast.If):
                scan(stmt.body, prefix)
                scan(stmt.orelse, prefix)
            elif isinstance(stmt, ast.ClassDef):
                scan(stmt.body, prefix + stmt.name + ".")
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = prefix + stmt.name
                seen[qualname] = seen.get(qualname, 0) + 1
                found.append((qualname, stmt))

    scan(tree.body, "")
    truth: Truth = {}
    positions: dict[str, list[str]] = {}
    for qualname, fn in found:
        if seen[qualname] > 1 or any(ast.unparse(d).endswith("overload") for d in fn.decorator_list):
            continue
        a = fn.args
        positional = a.posonlyargs + a.args
        positions[qualname] = [p.arg for p in positional]
        for p in positional + a.kwonlyargs + [x for x in (a.vararg, a.kwarg) if x is not None]:
            if p.annotation is not None:
                truth[(relpath, qualname, "param:" + p.arg)] = ast.unparse(p.annotation)
        if fn.returns is not None:
            truth[(relpath, qualname, "return")] = ast.unparse(fn.returns)
    truth = {k: v for k, v in truth.items() if "Incomplete" not in v}
    return truth, positions, _typevars(tree), type_aliases(text)


def _stub_file(stubs: Path, relpath: str) -> Path | None:
    """``a/b.py`` -> ``a-stubs/b.pyi`` (or ``a/b.pyi`` shipped in place); ``a/__init__.py`` -> ``a-stubs/__init__.pyi``."""
    parts = Path(relpath).with_suffix(".pyi").parts
    for candidate in (stubs / (parts[0].removesuffix(".pyi") + "-stubs") / Path(*parts[1:]) if len(parts) > 1
                      else stubs / (parts[0].removesuffix(".pyi") + "-stubs") / "__init__.pyi",
                      stubs / Path(*parts)):
        if candidate.is_file():
            return candidate
    return None


# --- scoring -----------------------------------------------------------------------------------------------

class _Rename(ast.NodeTransformer):
    def __init__(self, typevars: set[str], mapping: dict[str, str]) -> None:
        self.typevars = typevars
        self.mapping = mapping

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in self.typevars:
            node.id = self.mapping.setdefault(node.id, f"T{len(self.mapping)}")
        return node


def _canonical(texts: list[str], typevars: set[str]) -> list[str]:
    """Type variables renamed by their order of appearance across one signature's slots."""
    mapping: dict[str, str] = {}
    out = []
    for text in texts:
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError:
            out.append(text)
            continue
        if isinstance(tree.body, ast.Constant) and isinstance(tree.body.value, str):
            try:
                tree = ast.parse(tree.body.value, mode="eval")
            except SyntaxError:
                pass
        out.append(ast.unparse(_Rename(typevars, mapping).visit(tree)))
    return out


def _names_any(text: str) -> bool:
    try:
        return any(isinstance(n, (ast.Name, ast.Attribute)) and (getattr(n, "id", None) or getattr(n, "attr", None))
                   == "Any" for n in ast.walk(ast.parse(text, mode="eval")))
    except SyntaxError:
        return False


# --- mypy over the callers ---------------------------------------------------------------------------------

def caller_errors(tree: Path, root: Path, callers: tuple[str, ...]) -> int:
    """mypy errors in the callers (check_untyped_defs), the package found on MYPYPATH from the source tree."""
    if not callers:
        return 0
    proc = subprocess.run([sys.executable, "-m", "mypy", "--check-untyped-defs", "--follow-imports=silent",
                           "--ignore-missing-imports", "--no-incremental", "--cache-dir", os.devnull,
                           "--no-error-summary", "--explicit-package-bases", *callers],
                          cwd=tree, env={**os.environ, "MYPYPATH": str(root)}, capture_output=True, text=True,
                          check=False)
    prefixes = tuple(c.rstrip("/") for c in callers)
    return sum(1 for line in proc.stdout.splitlines() if ": error:" in line and line.startswith(prefixes))


# --- one package -------------------------------------------------------------------------------------------

def _files(spec: Spec, root: Path) -> list[Path]:
    out: list[Path] = []
    for m in spec.modules:
        p = root / m
        out += [p] if p.is_file() else sorted(p.rglob("*.py"))
    excluded = [root / e for e in spec.exclude]
    return [p for p in out if not any(p.is_relative_to(e) for e in excluded)]


def _caller_files(spec: Spec, tree: Path) -> list[Path]:
    """The callers' files: verification type-checks them against the annotated package, as scoring does."""
    out: list[Path] = []
    for c in spec.callers:
        p = tree / c
        out += [p] if p.is_file() else sorted(p.rglob("*.py"))
    return out


def run_package(name: str, cache: Path, workdir: Path, trace: bool | None, verify: bool = True,
                second: bool = False) -> Result:
    from pymigrate.migrate.infer import infer_package
    from pymigrate.migrate.infer.package import load_modules
    from pymigrate.migrate.infer.project import python_version_of
    from pymigrate.migrate.infer.static import error_lines, run_mypy

    spec = SPECS[name]
    source = fetch_source(spec, cache)
    stubs = fetch_stubs(spec, cache) if spec.truth == "stubs" else None
    tree = workdir / name
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(source, tree)
    root = tree / spec.root
    files = _files(spec, root)
    truth: Truth = {}
    positions: dict[tuple[str, str], list[str]] = {}
    typevars: dict[str, set[str]] = {}
    aliases: dict[str, ast.expr] = {}
    if spec.truth == "pyi":     # the shipped stubs are the truth; mypy must read the sources, not them
        for m in spec.modules:
            for pyi in (root / m).parent.rglob("*.pyi") if (root / m).is_file() else (root / m).rglob("*.pyi"):
                shutil.move(pyi, pyi.with_suffix(".pyi.truth"))
            for marker in (root / m).parent.rglob("py.typed"):
                marker.unlink()
    for path in files:
        relpath = str(path.relative_to(root))
        text = path.read_text(encoding="utf-8")
        module = cst.parse_module(text)
        stripper = Stripper(relpath, module)
        path.write_text(module.visit(stripper).code, encoding="utf-8")
        aliases.update(type_aliases(text))
        typevars[relpath] = _typevars(ast.parse(text))
        if spec.truth == "inline":
            truth.update({(s[0], s[1], s[3]): t for s, t in stripper.removed.items()})
            continue
        stub = _stub_file(stubs, relpath) if stubs is not None else \
            path.with_suffix(".pyi.truth") if path.with_suffix(".pyi.truth").is_file() else None
        if stub is None:
            continue
        t, pos, tv, al = stub_truth(relpath, stub)
        truth.update(t)
        positions.update({(relpath, q): names for q, names in pos.items()})
        typevars[relpath] |= tv
        aliases.update(al)

    result = Result(name)
    modules = load_modules(files)
    target = python_version_of(tree)      # the version inference verifies against
    result.errors_before = len(error_lines(run_mypy(modules, python_version=target)))
    result.callers_before = caller_errors(tree, root, spec.callers)
    use_trace = bool(spec.trace) if trace is None else trace and bool(spec.trace)
    command = None
    if use_trace:
        command = f"cd {tree} && PYTHONPATH={root}:$PYTHONPATH " + spec.trace.format(python=sys.executable)
        result.traced = True
    start = time.perf_counter()
    # a package whose own suite has failing tests still scores with the types its run recorded
    types = infer_package(files, root=tree, trace_command=command, verify=verify, allow_trace_failure=True,
                          callers=_caller_files(spec, tree))
    result.seconds = time.perf_counter() - start

    inferred = write_annotations(files, types, root)
    for path in files:
        typevars[str(path.relative_to(root))] |= _typevars(ast.parse(path.read_text(encoding="utf-8")))
    result.errors_after = len(error_lines(run_mypy(load_modules(files), python_version=target)))
    result.callers_after = caller_errors(tree, root, spec.callers)
    _score(result, truth, inferred, positions, typevars, aliases, files, root)
    usage = [resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    result.peak_mb = max(usage) / 1024
    if second:      # idempotence: a second run over the written files must find nothing to add
        again = infer_package(files, root=tree, trace_command=command, verify=verify, allow_trace_failure=True,
                              callers=_caller_files(spec, tree))
        result.second_slots = _proposed(again, root)
        result.second = len(result.second_slots)
    return result


def _proposed(types: PackageTypes, root: Path) -> list[str]:
    """Every slot ``types`` (a PackageTypes) would add, as ``file:qualname slot: type``."""
    out = []
    for path, ft in sorted(types.files.items()):
        rel = path.relative_to(root.resolve()) if path.is_relative_to(root.resolve()) else path
        for qualname, fn in ft.functions.items():
            out += [f"{rel}:{qualname} param:{p}: {t}" for p, t in fn.params.items()]
            out += [f"{rel}:{qualname} return: {fn.returns}"] if fn.returns is not None else []
        out += [f"{rel}:{attr} attribute: {t}" for attr, t in ft.attributes.items()]
    return out


def _source_params(files: list[Path], root: Path) -> dict[tuple[str, str, int], tuple[list[str], list[str]]]:
    """Every function of the sources, by (file, qualname, occurrence): its positional parameters, in order,
    and the others."""
    out: dict[tuple[str, str, int], tuple[list[str], list[str]]] = {}
    for path in files:
        _scan_params(ast.parse(path.read_text(encoding="utf-8")).body, "", str(path.relative_to(root)), {}, out)
    return out


def _scan_params(body: list[ast.stmt], prefix: str, relpath: str, counts: dict[str, int],
                 out: dict[tuple[str, str, int], tuple[list[str], list[str]]]) -> None:
    """`_source_params` for the statements of one body (`counts`: occurrences of each qualname so far)."""
    for stmt in body:
        if isinstance(stmt, (ast.If, ast.Try)):
            for block in (stmt.body, stmt.orelse, getattr(stmt, "finalbody", []),
                          *[h.body for h in getattr(stmt, "handlers", [])]):
                _scan_params(block, prefix, relpath, counts, out)
        elif isinstance(stmt, ast.ClassDef):
            _scan_params(stmt.body, prefix + stmt.name + ".", relpath, counts, out)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            q = prefix + stmt.name
            n = counts.get(q, 0)
            counts[q] = n + 1
            a = stmt.args
            out[(relpath, q, n)] = ([p.arg for p in a.posonlyargs + a.args],
                                    [p.arg for p in a.kwonlyargs] +
                                    [x.arg for x in (a.vararg, a.kwarg) if x is not None])
            _scan_params(stmt.body, q + ".<locals>.", relpath, counts, out)


def _score(result: Result, truth: Truth, inferred: dict[Slot, str], positions: dict[tuple[str, str], list[str]],
           typevars: dict[str, set[str]], aliases: dict[str, ast.expr], files: list[Path], root: Path) -> None:
    for (relpath, qualname, occurrence), (positional, others) in sorted(_source_params(files, root).items()):
        stub_names = positions.get((relpath, qualname), [])
        slots: list[tuple[str, str]] = []      # (source slot, truth text)
        for i, p in enumerate(positional + others):
            key = (relpath, qualname, "param:" + p)
            if key not in truth and i < min(len(stub_names), len(positional)):  # positional-only, named otherwise
                key = (relpath, qualname, "param:" + stub_names[i])
            if key in truth:
                slots.append(("param:" + p, truth[key]))
        if (relpath, qualname, "return") in truth:
            slots.append(("return", truth[(relpath, qualname, "return")]))
        if not slots:
            continue
        got = [inferred.get((relpath, qualname, occurrence, s)) for s, _ in slots]
        tv = typevars.get(relpath, set())
        want_c = _canonical([t for _, t in slots], tv)
        got_c = _canonical([g for g in got if g is not None], tv)
        got_iter = iter(got_c)
        for (slot, want), w, g in zip(slots, want_c, got):
            result.slots += 1
            result.any_slots += _names_any(want)
            where = f"{relpath}:{qualname} {slot}"
            if g is None:
                result.misses.append(f"  none   {where}  want {want}")
                continue
            gc = next(got_iter)
            result.covered += 1
            if normalize(gc, aliases) == normalize(w, aliases):
                result.exact += 1
            else:
                result.misses.append(f"  wrong  {where}  want {want}  got {g}")


# --- the table ---------------------------------------------------------------------------------------------

def summary(results: list[Result]) -> list[str]:
    ok = [r for r in results if not r.failed]
    scored = results      # a failed package counts as 0% (a timeout is a result)
    mean_exact = sum(r.exact_pct if not r.failed else 0.0 for r in scored) / max(len(scored), 1)
    mean_cov = sum(r.coverage_pct if not r.failed else 0.0 for r in scored) / max(len(scored), 1)
    worst = min(scored, key=lambda r: r.exact_pct if not r.failed else -1.0) if scored else None
    lines = [f"{'mean':<15} {sum(r.slots for r in scored):>6} {mean_exact:>7.1f}% {mean_cov:>8.1f}%"
             f" {sum(r.errors_after - r.errors_before for r in ok):>+7d}"
             f" {sum(r.callers_after - r.callers_before for r in ok):>+8d}"
             f" {sum(r.any_slots for r in scored):>5} {sum(r.seconds for r in ok):>8.1f}s"
             f" {max((r.peak_mb for r in ok), default=0):>7.0f}MB"]
    if worst is not None:
        lines.append(f"worst: {worst.package} ({worst.exact_pct:.1f}% exact, {worst.coverage_pct:.1f}% coverage)")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", action="append", choices=sorted(SPECS))
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--trace", dest="trace", action="store_true", default=None,
                       help="trace every package that has a test command (default: those marked cheap)")
    group.add_argument("--no-trace", dest="trace", action="store_false", help="static inference only")
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per package")
    parser.add_argument("--misses", action="store_true", help="list every slot not matched exactly")
    parser.add_argument("--second", action="store_true",
                        help="run inference again over the written files: the slots it adds (idempotence: none)")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                        / "pymigrate-infer-bench")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "pymigrate-infer-suite")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:          # one package, in its own process: its memory and time are its own
        result = run_package(args.child, args.cache, args.workdir, args.trace, not args.no_verify, args.second)
        print("RESULT " + json.dumps(asdict(result)))
        return 0

    results = []
    print(HEADER, flush=True)
    for name in args.package or sorted(SPECS):
        command = [sys.executable, __file__, "--child", name, "--cache", str(args.cache), "--workdir", str(args.workdir)]
        command += [] if args.trace is None else ["--trace" if args.trace else "--no-trace"]
        command += ["--no-verify"] if args.no_verify else []
        command += ["--second"] if args.second else []
        # its own session: a timeout ends the child and what it started (the traced test run, mypy)
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=args.timeout)
            line = next((x for x in stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                result = Result(name, failed=f"exit {proc.returncode}: " + (stderr.strip().splitlines() or [""])[-1])
            else:
                result = Result(**json.loads(line[len("RESULT "):]))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            result = Result(name, failed=f"timeout after {args.timeout:.0f}s")
        results.append(result)
        print(result.row(), flush=True)
        if args.misses:
            print("\n".join(result.misses), flush=True)
        if result.second_slots:
            print("\n".join("  second " + s for s in result.second_slots), flush=True)
    for line in summary(results):
        print(line)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
