"""Migrate the installed `rich` and `black` packages end to end, twice, and audit the result.

    .venv/bin/python -m benchmarks.migrate_real [rich black ...]

Each package is copied to a temporary directory and migrated with `pymigrate migrate --write`
(real inference, annotation, analyzer). Then every module must parse (`.pys` with the superset
front end, `.py` with CPython) and keep every comment, and `pymigrate migrate --check` must find
nothing left to change. Prints the files, what changed, and the wall time of each run; exits 1
on any problem. The test suite runs a subset of these modules always and the whole packages
in its slow tests; this script is the same check with timings, for a quiet machine.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

import rich

from pymigrate.cli import main as cli_main
from pymigrate.migrate.audit import audit_module

SITE = Path(rich.__file__).resolve().parents[1]


def _run(argv: list[str]) -> tuple[int, str, float]:
    err = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli_main(argv)
    return code, err.getvalue(), time.perf_counter() - start


def migrate_package(name: str, work: Path) -> list[str]:
    root = work / name
    shutil.copytree(SITE / name, root, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    originals = {p: p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py"))}
    code, err, first = _run(["migrate", str(root), "--write"])
    summary = err.strip().splitlines()[-1] if err.strip() else ""
    problems = [f"{name}: --write exited {code}:\n{err}"] if code else []
    for path, text in originals.items():
        problems.extend(audit_module(text, path))
    code, err, second = _run(["migrate", str(root), "--check"])
    if code:
        problems.append(f"{name}: the second run would change something:\n{err}")
    print(f"{name}: {len(originals)} modules; {summary}; write {first:.1f}s, check {second:.1f}s")
    return problems


def main(argv: list[str]) -> int:
    names = argv or ["rich", "black"]
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pymigrate-real-") as tmp:
        for name in names:
            problems.extend(migrate_package(name, Path(tmp)))
    for problem in problems:
        print(problem, file=sys.stderr)
    print("ok: idempotent, parseable, comments intact" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
