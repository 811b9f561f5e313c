"""The import hook and the build with the real compiler: errors keep their `.pys` positions."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

BAD = """\
import math

fn f(x: int) -> int:
    return x + "a"
"""

GOOD = """\
fn pick(xs: list[int], i: int) raises -> int:
    return xs[i]


def outer(xs: list[int]) -> int:
    return pick(xs, 5)
"""


def run(code: str, cwd: Path, *, mode: str = "auto") -> subprocess.CompletedProcess[str]:
    env_code = f"import os; os.environ['PYMIGRATE_IMPORT_MODE'] = {mode!r}\n" + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", env_code], cwd=cwd, capture_output=True, text=True, check=False)


def test_compile_error_at_import(tmp_path: Path) -> None:
    (tmp_path / "bad.pys").write_text(BAD)
    for mode in ("native", "jit"):
        proc = run(
            f"""
            import sys
            sys.path.insert(0, {str(tmp_path)!r})
            import pymigrate.importer
            from pymigrate.codegen import CompileError
            try:
                import bad
            except CompileError as exc:
                print(exc)
            print("bad" in sys.modules)
            """,
            tmp_path,
            mode=mode,
        )
        lines = proc.stdout.splitlines()
        assert lines[0].startswith(f"{tmp_path / 'bad.pys'}:4:12: error: "), proc.stdout + proc.stderr
        assert lines[-1] == "False"


def test_errors_raised_by_compiled_code_reach_the_caller(tmp_path: Path) -> None:
    (tmp_path / "good.pys").write_text(GOOD)
    for mode in ("native", "jit"):
        proc = run(
            f"""
            import sys, traceback
            sys.path.insert(0, {str(tmp_path)!r})
            import pymigrate.importer, good
            print(good.pick([1, 2, 3], -1))
            try:
                good.outer([1])
            except IndexError as exc:
                outer_frame, frame = traceback.extract_tb(exc.__traceback__)[-2:]
                print(type(exc).__name__, exc, frame.filename, frame.name, frame.lineno, outer_frame.name, outer_frame.lineno)
            """,
            tmp_path,
            mode=mode,
        )
        assert proc.stdout.splitlines() == [
            "3",
            # as CPython shows it: the fn's own entry (pick, line 2) below its caller's (outer, line 6)
            f"IndexError list index out of range {tmp_path / 'good.pys'} pick 2 outer 6",
        ], proc.stderr


def test_build_reports_the_compile_error(tmp_path: Path) -> None:
    (tmp_path / "bad.pys").write_text(BAD)
    proc = subprocess.run(
        [sys.executable, "-m", "pymigrate", "build", str(tmp_path / "bad.pys")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"{tmp_path / 'bad.pys'}:4:12: error: ")
    assert list(tmp_path.iterdir()) == [tmp_path / "bad.pys"]


def test_run_a_pys_module_as_main(tmp_path: Path) -> None:
    pkg = tmp_path / "pk"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "tool.pys").write_text(
        "import sys\n\n"
        "fn sq(x: int) raises -> int:\n    return x * x\n\n"
        'if __name__ == "__main__":\n    print(sq(int(sys.argv[1])), __name__, sys.argv[1:])\n'
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pymigrate.runtime", "pk.tool", "7"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert proc.stdout == "49 __main__ ['7']\n", proc.stderr
    usage = subprocess.run([sys.executable, "-m", "pymigrate.runtime"], capture_output=True, text=True, check=False)
    assert usage.returncode == 2
    assert usage.stderr.startswith("usage: python -m pymigrate.runtime MODULE [ARGS...]")
