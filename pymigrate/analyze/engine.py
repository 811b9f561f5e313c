"""Running the analysis: one source text, one file (robustly), or many files in parallel.

A file that cannot be read or parsed becomes a per-file error and the run goes on. The parse is
CPython's own (`ast.parse`, then `compile` for the errors only the compiler raises), so a file is
reported as broken exactly when CPython rejects it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Sequence, TypeVar

from pymigrate.analyze.cache import AnalysisCache
from pymigrate.analyze.context import Locator, ModuleContext
from pymigrate.analyze.model import AnalysisReport, ModuleAnalysis
from pymigrate.analyze.readiness import Verdicts, assess
from pymigrate.analyze.rules import selected
from pymigrate.analyze.scoring import module_score, package_score
from pymigrate.analyze.typecheck import TypeError_, mypy_errors
from pymigrate.config import Config
from pymigrate.files import WalkError, is_test_module, iter_source_files
from pymigrate.files import package_root as package_root  # the migrator's root, shared
from pymigrate.superset.sourcefile import (
    TooDeeplyNested,
    decode_source,
    diagnostic,
    explained,
    gc_paused,
    python_tree,
)

_T = TypeVar("_T")
TEST_MODULE_CODES = ("PM1",)  # what a test module is still checked for
MAX_FILE_BYTES = 8 * 1024 * 1024  # larger files are reported, not parsed (memory stays bounded)
SERIAL_BELOW = 24
INTERNAL = "internal error (please report it):"  # fewer files than this: starting worker processes costs more than it saves


def _syntax_message(exc: SyntaxError, path: str, parser: str = "Python") -> str:
    if explained(exc):
        return diagnostic(path, exc)
    line = exc.lineno or 1
    col = exc.offset or 1
    return f"{path}:{line}:{col}: error: syntax error: {exc.msg}; fix the file so that {parser} can parse it"


def analyze_source(source: str, path: Path, config: Config | None = None, *, use_probe: bool = True,
                   type_errors: Sequence[TypeError_] = (), test: bool = False) -> ModuleAnalysis:
    """Analyze one module's text. Syntax errors become `error`; nothing is raised for bad input.

    `use_probe=False` gives the analyzer's own verdict without asking the compiler (PM320).
    `test=True` analyzes it as a test module (see `_module`).
    """
    return _analyze(source, str(path), config or Config(), use_probe, type_errors, test)


def _analyze(source: str | bytes, path: str, config: Config, use_probe: bool,
             type_errors: Sequence[TypeError_] = (), test: bool = False) -> ModuleAnalysis:
    if path.endswith(".pys"):
        return _analyze_superset(source, path, config, use_probe)
    with gc_paused():
        try:
            text = source if isinstance(source, str) else decode_source(source, Path(path))
            tree = python_tree(text, path, compile_too=True)
        except SyntaxError as exc:
            return ModuleAnalysis(path, error=_syntax_message(exc, path))
        ctx = ModuleContext(path, tree, Locator(text))
        verdicts = assess(ctx, text, use_probe=use_probe, type_errors=type_errors)
    return _module(path, text, verdicts, config, test)


def _analyze_superset(source: str | bytes, path: str, config: Config, use_probe: bool) -> ModuleAnalysis:
    """A `.pys` module: parsed by the superset front end; its `fn`s and structs are ready by definition."""
    from pymigrate.superset import parse

    try:
        text = source if isinstance(source, str) else decode_source(source, Path(path))
        result = parse(text, path)
    except SyntaxError as exc:
        return ModuleAnalysis(path, error=_syntax_message(exc, path, "the superset front end"))
    with gc_paused():
        ctx = ModuleContext(path, result.tree, Locator(text))
        verdicts = assess(ctx, text, use_probe=use_probe, superset=result)
    return _module(path, text, verdicts, config)


def _module(path: str, text: str, verdicts: Verdicts, config: Config, test: bool = False) -> ModuleAnalysis:
    """The module's results. A test module stays a `.py` file (the migrator never upgrades it), so its
    verdicts and upgrade hints would only be noise in a migration plan: it keeps its PM1xx findings
    (keyword names, which a rewrite touches in any file) and has no units, hence no score of its own."""
    findings = [f for f in verdicts.findings if selected(f.code, config.select, config.ignore)]
    functions, classes = verdicts.functions, verdicts.classes
    if test:
        findings = [f for f in findings if f.code.startswith(TEST_MODULE_CODES)]
        functions, classes = [], []
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    return ModuleAnalysis(
        path=path,
        functions=functions,
        classes=classes,
        findings=findings,
        score=module_score(functions, classes),
        lines=lines,
        test=test,
    )


def read_module(path: Path) -> bytes | ModuleAnalysis:
    """A file's bytes, or the per-file error that says why it cannot be analyzed."""
    shown = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return ModuleAnalysis(shown, error=f"{shown}: file too large to analyze ({size} bytes; the limit is "
                                               f"{MAX_FILE_BYTES}); exclude it in [tool.pymigrate] exclude")
        return path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno == 40:  # ELOOP
            reason = "symlink loop"
        return ModuleAnalysis(shown, error=f"{shown}: cannot read: {reason}")


def analyze_file(path: Path, config: Config, use_probe: bool = True,
                 type_errors: Sequence[TypeError_] = (), root: Path | None = None,
                 cache: AnalysisCache | None = None, data: bytes | None = None) -> ModuleAnalysis:
    """Read (unless its `data` is given) and analyze one file; every failure is a per-file error with the
    reason in words.

    A test module (by its name, or a tests/ directory below `root`) is analyzed as one. With a `cache`,
    an analysis of the same bytes under the same key is reused, and a new one is stored."""
    shown = str(path)
    if data is None:
        read = read_module(path)
        if isinstance(read, ModuleAnalysis):
            return read
        data = read
    test = is_test_module(path, root)
    key = cache.key(data, f"{shown}\0{use_probe}", test, type_errors) if cache is not None else ""
    if cache is not None:
        cached = cache.load(key)
        if cached is not None:
            return cached
    try:
        result = _analyze(data, shown, config, use_probe, type_errors, test)
        if cache is not None:
            cache.store(key, result)
        return result
    except (RecursionError, MemoryError):  # the analysis of a tree CPython could still build
        return ModuleAnalysis(shown, error=diagnostic(shown, TooDeeplyNested(shown)))
    except Exception as exc:  # noqa: BLE001 - one file's failure never stops the run; reported, exit 2
        return ModuleAnalysis(shown, error=f"{shown}: {INTERNAL} {type(exc).__name__}: {exc}")


_Batch = tuple[list[str], Config, dict[Path, list[TypeError_]], Path, "AnalysisCache | None"]
_Shipped = tuple[list[tuple[str, bytes]], Config, dict[Path, list[TypeError_]], Path]


def _worker_batch(args: _Batch) -> list[ModuleAnalysis]:
    paths, config, errors, root, cache = args
    return [analyze_file(Path(p), config, type_errors=_errors_of(Path(p), errors), root=root, cache=cache)
            for p in paths]


def _shipped_batch(args: _Shipped) -> list[ModuleAnalysis]:
    """A remote worker's batch: the files' bytes come with it (no shared file system, no cache there)."""
    files, config, errors, root = args
    return [analyze_file(Path(p), config, type_errors=_errors_of(Path(p), errors), root=root, data=data)
            for p, data in files]


def _remote(files: list[Path], config: Config, type_errors: dict[Path, list[TypeError_]], root: Path,
            cache: AnalysisCache | None, jobs: int, executor: str, bar: _Progress | None) -> list[ModuleAnalysis]:
    """Every file read here, looked up in this machine's cache, and the misses analyzed by the executor's
    workers from the bytes read (so an entry stored here is keyed by the very bytes analyzed)."""
    from pymigrate.executor import executor as open_executor
    from pymigrate.executor import run_all

    results: list[ModuleAnalysis | None] = []
    misses: list[tuple[int, str, bytes, str]] = []    # index, path, bytes, cache key
    for path in files:
        read = read_module(path)
        hit = read if isinstance(read, ModuleAnalysis) else None
        key = ""
        if cache is not None and isinstance(read, bytes):
            key = cache.key(read, f"{path}\0True", is_test_module(path, root), _errors_of(path, type_errors))
            hit = cache.load(key)
        if hit is None and isinstance(read, bytes):
            misses.append((len(results), str(path), read, key))
        elif bar is not None:
            bar.advance(1)
        results.append(hit)
    batches = _batches(misses, jobs) if misses else []
    work: list[_Shipped] = [([(p, d) for _, p, d, _ in b], config, _errors_for([p for _, p, _, _ in b], type_errors),
                             root) for b in batches]
    with open_executor(executor, jobs) as pool:
        for batch, analyses in zip(batches, run_all(pool, _shipped_batch, work)):
            for (index, _, _, key), analysis in zip(batch, analyses):
                results[index] = analysis
                if cache is not None and analysis.error is None:
                    cache.store(key, analysis)
            if bar is not None:
                bar.advance(len(batch))
    return [r for r in results if r is not None]


def _batches(items: Sequence[_T], jobs: int) -> list[list[_T]]:
    """Interleaved batches: big and small files spread evenly, a few dozen files per message."""
    count = max(jobs * 8, len(items) // 40 or 1)
    count = min(count, len(items)) or 1
    return [list(items[i::count]) for i in range(count)]


def _errors_of(path: Path, errors: dict[Path, list[TypeError_]]) -> list[TypeError_]:
    """mypy's errors for one file (keyed by real path; realpath never fails on a symlink loop)."""
    return errors.get(Path(os.path.realpath(path)), []) if errors else []


def _errors_for(batch: list[str], errors: dict[Path, list[TypeError_]]) -> dict[Path, list[TypeError_]]:
    if not errors:
        return {}
    wanted = {Path(os.path.realpath(p)) for p in batch}
    return {k: v for k, v in errors.items() if k in wanted}


def analyze_paths(paths: Sequence[Path], config: Config, *, progress: bool = False,
                  jobs: int | None = None, mypy: bool = False, cache: AnalysisCache | None = None,
                  executor: str | None = None) -> AnalysisReport:
    """Analyze every source file under `paths`; `mypy=True` adds mypy's errors as blockers (PM321).

    `jobs` worker processes share the files, or the workers of `executor` (pymigrate.executor: `local`,
    `dask://host:port`, whose workers receive the bytes); the report is the same, in the same order, as a
    serial run's. `cache` reuses the analyses of unchanged files (pymigrate.analyze.cache), looked up and
    stored in this process when the workers are remote."""
    from pymigrate.executor import default_jobs, run_all
    from pymigrate.executor import executor as open_executor

    walk_errors: list[WalkError] = []
    files = list(dict.fromkeys(iter_source_files(paths, config, walk_errors)))
    root = package_root(paths)
    type_errors = mypy_errors(files) if mypy else {}
    jobs = jobs if jobs is not None else default_jobs()
    remote = executor not in (None, "local")
    results: list[ModuleAnalysis] = []
    show = progress and sys.stderr.isatty()
    bar = _Progress(len(files)) if show else None
    try:
        if remote:
            assert executor is not None
            results = _remote(files, config, type_errors, root, cache, jobs, executor, bar)
        elif jobs <= 1 or len(files) < SERIAL_BELOW:
            for path in files:
                results.append(analyze_file(path, config, type_errors=_errors_of(path, type_errors), root=root,
                                            cache=cache))
                if bar is not None:
                    bar.advance(1)
        else:
            names = _batches([str(p) for p in files], jobs)
            work: list[_Batch] = [(b, config, _errors_for(b, type_errors), root, cache) for b in names]
            with open_executor(executor, jobs) as pool:
                for batch in run_all(pool, _worker_batch, work):
                    results.extend(batch)
                    if bar is not None:
                        bar.advance(len(batch))
    finally:
        if bar is not None:
            bar.close()
    order = {str(p): i for i, p in enumerate(files)}
    results.sort(key=lambda m: order.get(m.path, len(order)))
    errors = [{"path": str(e.path), "message": str(e)} for e in walk_errors]
    errors.extend({"path": m.path, "message": m.error} for m in results if m.error is not None)
    return AnalysisReport(files=results, score=package_score(results), errors=errors)


class _Progress:
    """A rich progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(TextColumn("analyzing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                  console=Console(stderr=True), transient=True)
        self._task = self._progress.add_task("analyze", total=total)
        self._progress.start()

    def advance(self, n: int) -> None:
        self._progress.advance(self._task, n)

    def close(self) -> None:
        self._progress.stop()
