"""Type-inference benchmark: strip the annotations of fully typed packages, re-infer them, score.

    python benchmarks/infer/run.py [--package humanize|packaging] [--no-trace] [--no-verify] [--misses] [--workdir DIR]

For each package: its sdist (the installed version) is downloaded with pip, every parameter and return
annotation of its sources is removed with LibCST (``@overload`` variants are kept: they are declarations,
not slots), ``infer_package`` runs on the stripped copy (with ``--trace`` running the sdist's own tests),
its result is written into the copy as ``pymigrate migrate`` would, and the annotations read back from the
written files are compared with the removed ones, slot by slot (a property's setter is its own slot). Exact match is defined in normalize.py.
The mypy delta is the error count of the re-annotated copy minus that of the stripped copy.
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from normalize import normalize, type_aliases  # noqa: E402

from pymigrate.migrate.annotate import annotate_module  # noqa: E402
from pymigrate.migrate.infer import PackageTypes, infer_package  # noqa: E402
from pymigrate.migrate.infer.package import load_modules  # noqa: E402
from pymigrate.migrate.infer.static import error_lines, run_mypy  # noqa: E402

PACKAGES = {
    # name: (import name, test command run from the sdist root)
    "humanize": ("humanize", "{python} -m pytest -q -x -p no:cacheprovider -p no:randomly tests "
                             "--ignore=tests/test_benchmarks.py"),
    "packaging": ("packaging", "{python} -m pytest -q -p no:cacheprovider tests --ignore=tests/property "
                               "-k 'not test_manylinux and not test_musllinux'"),
}

Slot = tuple[str, str, int, str]     # (module file, qualname, occurrence, "param:x" | "return")


class Stripper(cst.CSTTransformer):
    """Removes parameter and return annotations, recording each removed one's text."""

    def __init__(self, relpath: str, module: cst.Module) -> None:
        self.relpath = relpath
        self.module = module
        self.scope: list[str] = []
        self.count: dict[str, int] = {}
        self.removed: dict[Slot, str] = {}

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope.append(node.name.value + ".")

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        self.scope.pop()
        return updated_node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope.append(node.name.value + ".<locals>.")

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self.scope.pop()
        decorators = {self.module.code_for_node(d.decorator) for d in original_node.decorators}
        if decorators & {"overload", "typing.overload", "t.overload"}:
            return updated_node
        qualname = "".join(self.scope) + original_node.name.value
        occurrence = self.count.get(qualname, 0)
        self.count[qualname] = occurrence + 1

        def strip(p: cst.Param) -> cst.Param:
            if p.annotation is None:
                return p
            self.removed[(self.relpath, qualname, occurrence, "param:" + p.name.value)] = \
                self.module.code_for_node(p.annotation.annotation)
            return p.with_changes(annotation=None)

        ps = updated_node.params
        ps = ps.with_changes(
            posonly_params=[strip(p) for p in ps.posonly_params], params=[strip(p) for p in ps.params],
            kwonly_params=[strip(p) for p in ps.kwonly_params],
            star_arg=strip(ps.star_arg) if isinstance(ps.star_arg, cst.Param) else ps.star_arg,
            star_kwarg=strip(ps.star_kwarg) if ps.star_kwarg else None)
        updated_node = updated_node.with_changes(params=ps)
        if updated_node.returns is not None:
            self.removed[(self.relpath, qualname, occurrence, "return")] = \
                self.module.code_for_node(updated_node.returns.annotation)
            updated_node = updated_node.with_changes(returns=None)
        return updated_node


@dataclass
class Score:
    package: str
    slots: int = 0
    covered: int = 0
    exact: int = 0
    errors_stripped: int = 0
    errors_after: int = 0
    errors_original: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)

    def row(self) -> str:
        exact = 100.0 * self.exact / max(self.slots, 1)
        cov = 100.0 * self.covered / max(self.slots, 1)
        delta = self.errors_after - self.errors_stripped
        return (f"{self.package:<10} {self.slots:>6} {exact:>8.1f}% {cov:>9.1f}% {delta:>+7d}"
                f"   ({self.errors_stripped} -> {self.errors_after}; original {self.errors_original})"
                f" {self.seconds:>7.1f}s")


def fetch_sdist(name: str, cache: Path) -> Path:
    version = importlib.metadata.version(name)
    target = cache / f"{name}-{version}"
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps", "-q",
                    f"{name}=={version}", "-d", str(cache)], check=True)
    archive = next(cache.glob(f"{name}-{version}.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(cache, filter="data")
    return target


def run_package(name: str, workdir: Path, trace: bool, verify: bool = True) -> Score:
    import_name, test_command = PACKAGES[name]
    sdist = fetch_sdist(name, workdir / "sdists")
    copy = workdir / name
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(sdist, copy)
    package_dir = copy / "src" / import_name
    files = sorted(p for p in package_dir.rglob("*.py"))
    original_texts = {p: p.read_text(encoding="utf-8") for p in files}
    removed: dict[Slot, str] = {}
    aliases: dict[str, ast.expr] = {}
    for path in files:
        module = cst.parse_module(original_texts[path])
        stripper = Stripper(str(path.relative_to(package_dir)), module)
        path.write_text(module.visit(stripper).code, encoding="utf-8")
        removed.update(stripper.removed)
        aliases.update(type_aliases(original_texts[path]))
    score = Score(name)
    score.errors_original = len(error_lines(run_mypy(_modules_with(files, original_texts))))
    stripped = load_modules(files)
    score.errors_stripped = len(error_lines(run_mypy(stripped)))

    command = None
    if trace:
        env_path = f"PYTHONPATH={copy / 'src'}:$PYTHONPATH"
        command = f"cd {copy} && {env_path} " + test_command.format(python=sys.executable)
    start = time.perf_counter()
    result = infer_package(files, root=copy, trace_command=command, verify=verify)
    score.seconds = time.perf_counter() - start

    inferred = write_annotations(files, result, package_dir)
    score.errors_after = len(error_lines(run_mypy(load_modules(files))))

    for slot, original in sorted(removed.items()):
        score.slots += 1
        got = inferred.get(slot)
        if got is None:
            score.misses.append(f"  none   {slot[0]}:{slot[1]} {slot[3]}  want {original}")
            continue
        score.covered += 1
        if normalize(got, aliases) == normalize(original, aliases):
            score.exact += 1
        else:
            score.misses.append(f"  wrong  {slot[0]}:{slot[1]} {slot[3]}  want {original}  got {got}")
    return score


def write_annotations(files: list[Path], types: PackageTypes, base: Path) -> dict[Slot, str]:
    """Writes the inferred types into the files, as ``pymigrate migrate`` does, and reads them back slot by
    slot: what is scored is what the user gets."""
    inferred: dict[Slot, str] = {}
    for path in files:
        annotated = annotate_module(cst.parse_module(path.read_text(encoding="utf-8")), types.for_file(path))
        path.write_text(annotated.code, encoding="utf-8")
        reader = Stripper(str(path.relative_to(base)), annotated)
        annotated.visit(reader)
        inferred.update(reader.removed)
    return inferred


def _modules_with(files: list[Path], texts: dict[Path, str]) -> list:  # type: ignore[type-arg]
    from pymigrate.migrate.infer.package import module_from_text
    return [module_from_text(m, texts[m.path]) for m in load_modules(files)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", action="append", choices=sorted(PACKAGES))
    parser.add_argument("--no-trace", action="store_true", help="static inference only")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "pymigrate-infer")
    parser.add_argument("--misses", action="store_true", help="list every slot not matched exactly")
    parser.add_argument("--no-verify", action="store_true",
                        help="skip mypy verification (shows what verification costs; the mypy delta may rise)")
    args = parser.parse_args()
    scores = [run_package(name, args.workdir, not args.no_trace, not args.no_verify) for name in args.package or sorted(PACKAGES)]
    print(f"{'package':<10} {'slots':>6} {'exact':>9} {'coverage':>10} {'mypy Δ':>7}")
    for s in scores:
        print(s.row())
        if args.misses:
            print("\n".join(s.misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
