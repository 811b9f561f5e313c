"""One migration run: infer (package-wide, once) -> per file: annotate -> analyze -> upgrade -> emit.

Nothing here writes files; the result of each file is its new text and where it would go
(`name.py` when it only gains annotations, `name.pys` when it gains any fn or struct), so
that dry runs, `--check` and `--write` share one code path. The stages other parts provide
(inference, annotation, analysis) are passed in as `Stages`, defaulting to the real ones.
"""

from __future__ import annotations

import ast
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Protocol, Sequence

import libcst as cst

from pymigrate.analyze.model import Status
from pymigrate.config import Config
from pymigrate.files import is_test_module
from pymigrate.files import package_root as package_root  # the root inference and the analyzer share
from pymigrate.migrate.backtick import needs_backticks
from pymigrate.migrate.emit import render_superset
from pymigrate.migrate.result import FileResult as FileResult  # re-exported: callers import them from here
from pymigrate.migrate.result import Options as Options
from pymigrate.migrate.result import Runner as Runner
from pymigrate.migrate.upgrade import Marks, Plan, upgrade_module
from pymigrate.migrate.verify import VerifyError, check_bindings, check_python, check_superset, check_upgrade
from pymigrate.superset import sourcefile

if TYPE_CHECKING:
    from pymigrate.analyze import ModuleAnalysis
    from pymigrate.migrate.infer import FileTypes


class _PackageTypes(Protocol):
    def for_file(self, path: Path) -> FileTypes: ...


InferFn = Callable[..., _PackageTypes]
AnnotateFn = Callable[[cst.Module, "FileTypes"], cst.Module]
AnalyzeFn = Callable[[str, Path, "Config | None"], "ModuleAnalysis"]


@dataclass(frozen=True)
class Stages:
    infer: InferFn
    annotate: AnnotateFn
    analyze: AnalyzeFn


def default_stages() -> Stages:
    """The real inference, annotation and analysis (imported late: they are heavy)."""
    from pymigrate.analyze import analyze_source
    from pymigrate.migrate.annotate import annotate_module
    from pymigrate.migrate.infer import infer_package

    return Stages(infer_package, annotate_module, analyze_source)


def _has_types(types: FileTypes) -> bool:
    return bool(types.functions or types.attributes or types.imports)


def _plan(analysis: ModuleAnalysis) -> Plan:
    return Plan(
        functions=frozenset(f.qualname for f in analysis.functions if f.status == Status.READY),
        classes=frozenset(c.qualname for c in analysis.classes if c.status == Status.READY),
        objects=frozenset(f.qualname for f in analysis.functions if f.status == Status.READY and f.tier == "object"),
    )


def _syntax_error(path: Path, data: bytes, exc: cst.ParserSyntaxError) -> str:
    """CPython's own position and message when it agrees the file is broken (they are exact)."""
    line, col, message = exc.raw_line, exc.raw_column + 1, exc.message
    try:
        compile(data, str(path), "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as py_exc:
        line, col, message = py_exc.lineno or line, py_exc.offset or col, py_exc.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    return f"{path}:{line}:{col}: error: cannot parse as Python: {message}; fix the syntax first"


class _NotFaithful(Exception):
    """LibCST would not give the file back byte for byte: nothing of it may be rewritten."""


def _parse_faithfully(data: bytes, text: str) -> cst.Module:
    """LibCST's tree of `data`, checked to print back to exactly `data`.

    LibCST recognizes a final newline only as `\\n`; a file with CR-only line endings (old Mac
    style, which Python accepts) would lose its last `\\r`, so the tree is told it has one.
    """
    module = cst.parse_module(data)
    if not module.has_trailing_newline and text.endswith("\r"):
        module = module.with_changes(has_trailing_newline=True)
    if module.code.encode(module.encoding) != data:
        raise _NotFaithful("LibCST does not print this file back byte for byte")
    return module


def migrate_source(
    data: bytes, path: Path, types: FileTypes | None, options: Options, stages: Stages, root: Path | None = None
) -> FileResult:
    """Migrate one module's bytes; any failure is recorded in the result, never raised.

    A file is migrated only when CPython 3.11 itself accepts it (decoded by Python's rules, then
    parsed and compiled): what Python cannot run is an error here as in `parse` and `analyze`.
    The garbage collector waits meanwhile: the trees are acyclic and big, and collections
    walking them made a big module's migration superlinear.
    """
    with sourcefile.gc_paused():
        return _migrate_source(data, path, types, options, stages, root)


def _migrate_source(
    data: bytes, path: Path, types: FileTypes | None, options: Options, stages: Stages, root: Path | None
) -> FileResult:
    result = FileResult(path=path, original=data)
    try:
        text = sourcefile.decode_source(data, path)
        sourcefile.python_tree(text, str(path), compile_too=True)
        module = _parse_faithfully(data, text)
        result.encoding = module.encoding
        result.before = data.decode(module.encoding)  # what module.code gives, checked above
    except cst.ParserSyntaxError as exc:
        result.error = _syntax_error(path, data, exc)
        return result
    except SyntaxError as exc:
        message = sourcefile.diagnostic(path, exc)
        if not sourcefile.explained(exc):
            message = message.replace(": error: ", ": error: cannot parse as Python: ", 1) + "; fix the syntax first"
        result.error = message
        return result
    except (RecursionError, MemoryError):
        result.error = sourcefile.diagnostic(path, sourcefile.TooDeeplyNested(str(path)))
        return result
    except _NotFaithful as exc:
        result.error = f"{path}: error: {exc}; file left as it is"
        return result
    try:
        _migrate_module(module, result, types, options, stages, root)
    except VerifyError as exc:
        result.error = f"{path}:{exc.line}:{exc.col}: error: {exc}; file left as it is"
    except (RecursionError, MemoryError):
        result.error = sourcefile.diagnostic(path, sourcefile.TooDeeplyNested(str(path)))
        result.transient = True
    except Exception as exc:  # one file's failure must not stop the run
        result.error = f"{path}: error: migration failed, file left as it is: {type(exc).__name__}: {exc}"
        result.transient = True
    if result.error is not None:
        result.after = None
        result.output_path = None
    return result


def _migrate_module(
    module: cst.Module,
    result: FileResult,
    types: FileTypes | None,
    options: Options,
    stages: Stages,
    root: Path | None = None,
) -> None:
    path = result.path
    annotated = result.before  # every module.code prints the whole tree again: only when it changed
    if options.annotate and types is not None and _has_types(types):
        module = stages.annotate(module, types)
        annotated = module.code
    if annotated != result.before:
        check_bindings(result.before, annotated, str(path))
    marks = Marks()
    test = is_test_module(path, root)  # whatever the policy, it stays a .py file test runners collect
    # A package's __init__ stays a .py file too: mypy (the next run's inference, the user's type checks)
    # sees no package without it, and a later migrate of the package could not infer anything.
    keep, why = (("a test module stays a .py file", "test runners still collect it") if test else
                 ("a package's __init__.py stays a .py file", "type checkers still see the package")
                 if path.name == "__init__.py" else (None, None))
    if keep is not None and options.upgrade:
        result.notes.append(f"not upgraded: {keep} so {why}")
    elif options.upgrade:
        analysis = stages.analyze(annotated, path, options.config)
        if analysis.error:
            result.notes.append(f"not upgraded: the analyzer could not read it: {analysis.error}")
        else:
            attributes = types.attributes if types is not None else {}
            module, marks = upgrade_module(module, _plan(analysis), attributes)
    result.notes.extend(marks.notes)
    # the upgrade adds marks and declarations of existing names, never a new identifier: `annotated` holds them all
    backticks = not options.annotate and needs_backticks(module, annotated)
    if keep is not None and backticks:
        result.notes.append(f"not backticked: {keep}, where `fn`, `struct` and `var` are plain names")
    superset = keep is None and (marks.upgraded or backticks)
    if superset:
        text = render_superset(module, marks)
        upgraded = module.code
        check_upgrade(annotated, upgraded, str(path), marks.dataclasses)
        check_superset(text, upgraded, str(path), len(marks.fns), len(marks.structs), options.compiler_check)
        result.output_path = path.with_suffix(".pys")
        result.fns, result.structs = marks.fn_names, marks.struct_names
    else:
        text = annotated
        if text != result.before:
            check_python(text, str(path))
        result.output_path = path
    result.after = text


PARALLEL_MIN_BYTES = 256_000
"""Less source than this left to migrate after inference: worker processes would cost more than they save."""


_Job = tuple[bytes, Path, "FileTypes | None", Options, Path]


def _migrate_job(job: _Job) -> FileResult:
    """One module's stages after inference, in a worker: the real stages (plain data in, plain data out)."""
    data, path, types, options, root = job
    return migrate_source(data, path, types, options, default_stages(), root)


def migrate_files(
    files: Sequence[Path],
    root: Path,
    options: Options,
    stages: Stages | None = None,
    on_file: Callable[[Path], None] | None = None,
    runner: Runner | None = None,
) -> tuple[list[FileResult], list[str]]:
    """Migrate `.py` files (inference runs once over all of them); returns results and run-level errors.
    When inference fails (the trace command too, unless allowed to) no file is migrated: the error says why.

    Then each module's stages: from `runner.cache` when it holds that module with the same types, else
    computed (in `runner`'s workers when there are enough, with the real stages only) and stored; the
    results are the same, in the files' order, whichever way each was obtained."""
    real = stages is None
    stages = stages or default_stages()
    runner = runner or Runner()
    package_types: _PackageTypes | None = None
    if options.annotate and files:
        try:
            package_types = stages.infer(
                list(files), root=root, trace_command=options.trace_command, target_version=None, verify=True,
                trace_cwd=Path.cwd(), allow_trace_failure=options.allow_trace_failure,
            )
        except Exception as exc:
            from pymigrate.migrate.infer import InferenceError
            reason = str(exc) if isinstance(exc, InferenceError) else f"{type(exc).__name__}: {exc}"
            return [], [f"type inference failed: {reason}"]
    cache = runner.cache if real else None
    results: list[FileResult | None] = []
    jobs: dict[int, tuple[_Job, str]] = {}     # index in results -> the job and its cache key
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            results.append(FileResult(path=path, original=b"", error=f"{path}: error: cannot read: {exc.strerror or exc}"))
            continue
        types = package_types.for_file(path) if package_types is not None else None
        key = cache.key(path, root, data, types) if cache is not None else ""
        hit = cache.load(key, path, data) if cache is not None else None
        if hit is None:
            jobs[len(results)] = ((data, path, types, options, root), key)
        elif on_file is not None:
            on_file(path)
        results.append(hit)
    computed = _run_jobs([job for job, _ in jobs.values()], stages, real, runner, on_file)
    for (index, (_, key)), result in zip(jobs.items(), computed):
        results[index] = result
        if cache is not None:
            cache.store(key, result)
    return [r for r in results if r is not None], []


def _run_jobs(jobs: list[_Job], stages: Stages, real: bool, runner: Runner,
              on_file: Callable[[Path], None] | None) -> list[FileResult]:
    """Each job's result, in order: in this process, or with the real stages in `runner`'s workers when
    they are remote or there is enough source for local workers to pay for themselves."""
    from pymigrate.executor import executor, run_all

    remote = runner.pool is not None
    enough = len(jobs) > 1 and runner.jobs > 1 and sum(len(job[0]) for job in jobs) >= PARALLEL_MIN_BYTES
    parallel = real and (remote or enough)
    # big modules first, so that no worker is left with the biggest one at the end; results in job order
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i][0])) if parallel else range(len(jobs))
    results: list[FileResult | None] = [None] * len(jobs)
    opened = nullcontext(runner.pool) if remote or not parallel else executor(None, runner.jobs)
    with opened as pool:
        computed: Iterable[FileResult]
        if pool is None or not parallel:
            computed = (migrate_source(d, p, t, o, stages, r) for d, p, t, o, r in (jobs[i] for i in order))
        else:
            computed = run_all(pool, _migrate_job, [jobs[i] for i in order])
        for i, result in zip(order, computed):
            results[i] = result
            if on_file is not None:
                on_file(result.path)
    return [r for r in results if r is not None]
