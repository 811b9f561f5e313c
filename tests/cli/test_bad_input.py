"""One bad file never stops a run, in any subcommand: every other file is processed, the bad one
is reported as `path:line:col: error: ...` (positions are CPython's, or the offending byte's),
the exit status is 1, and no input gives a traceback (issue 15).

The commands run as real processes, so an uncaught exception, a RecursionError or mypy's
INTERNAL ERROR would show in their output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pymigrate.cli import main

GOOD = "def area(w: float, h: float) -> float:\n    return w * h\n"
TOO_DEEP = "error: too deeply nested: an expression or statement nests or chains too deep to be processed; split it"

BAD: dict[str, bytes] = {
    "badutf8.py": b'x = 1\ny = "\xff\xfe"\n',
    "laterutf8.py": b'x = 1\ny = 2\nz = "ok \xff"\n',
    "binary.py": bytes(range(1, 256)) + b"\0" * 8,
    "nul.py": b'x = 1\ny = "a\x00b"\n',
    "terms.py": b"x = " + b" + ".join([b"1"] * 5000) + b"\n",
    "parens.py": b"x = " + b"(" * 500 + b"1" + b")" * 500 + b"\n",
    "pep695.py": b"type X = int\n",
    "generic.py": b"def first[T](xs: list[T]) -> T:\n    return xs[0]\n",  # PEP 695 generics
}


def _cpython_error(data: bytes) -> tuple[int, int, str]:
    """Where and why CPython 3.11 itself rejects `data`."""
    with pytest.raises(SyntaxError) as info:
        compile(data, "f.py", "exec", dont_inherit=True)
    return info.value.lineno or 0, info.value.offset or 0, info.value.msg


def _first_bad_byte(data: bytes) -> str:
    """line:col of the first byte that is not UTF-8 (the column in characters, as editors count)."""
    with pytest.raises(UnicodeDecodeError) as info:
        data.decode("utf-8")
    before = data[: info.value.start]
    line, column = before.count(b"\n") + 1, len(before.rpartition(b"\n")[2]) + 1
    return f"{line}:{column}"


def expected_errors(root: Path) -> dict[str, str]:
    """The diagnostic each bad file must get (a prefix: some messages go on with advice)."""
    parens, pep695, generic = (_cpython_error(BAD[name]) for name in ("parens.py", "pep695.py", "generic.py"))
    undecodable = "error: cannot decode the file as utf-8: invalid start byte; save it as UTF-8"
    return {
        **{
            name: f"{root / name}:{_first_bad_byte(BAD[name])}: {undecodable}"
            for name in ("badutf8.py", "laterutf8.py", "binary.py")
        },
        "nul.py": f"{root / 'nul.py'}:2:7: error: source contains a null byte; remove it",
        "terms.py": f"{root / 'terms.py'}:1:1: {TOO_DEEP}",
        "parens.py": f"{root / 'parens.py'}:{parens[0]}:{parens[1]}: error: ",
        "pep695.py": f"{root / 'pep695.py'}:{pep695[0]}:{pep695[1]}: error: ",
        "generic.py": f"{root / 'generic.py'}:{generic[0]}:{generic[1]}: error: ",
    }


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "good.py").write_text(GOOD)
    for name, data in BAD.items():
        (root / name).write_bytes(data)
    os.mkfifo(root / "fifo.py")
    (root / os.fsdecode(b"\xffname.py")).write_text("y = 2\n")  # a name that is not UTF-8
    (root / "nl\nx.py").write_text("y = 3\n")  # a name that would forge a line of the report
    return root


def pymigrate(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "pymigrate", *args], capture_output=True, text=True, errors="replace", timeout=600, cwd=cwd
    )
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output and "INTERNAL ERROR" not in output and "internal error" not in output, output
    return proc


def assert_reported(output: str, root: Path, *, skip: tuple[str, ...] = ()) -> None:
    lines = output.splitlines()
    for name, prefix in expected_errors(root).items():
        if name not in skip:
            assert [line for line in lines if line.startswith(prefix)], f"{name}: no line starting {prefix!r} in\n{output}"
    assert f"{root / 'fifo.py'}: error: is a FIFO (named pipe), not a source file" in output
    assert f"{root / 'nl'}\\nx.py: error: its name holds a control character (shown escaped); rename the file" in lines
    assert not [line for line in lines if line.startswith("x.py")]  # the name's newline never reaches the output


def test_parse(tree: Path) -> None:
    proc = pymigrate("parse", str(tree))
    assert proc.returncode == 1
    assert_reported(proc.stdout, tree)
    assert "10 files checked, 8 failed, 2 paths not readable" in proc.stderr  # good and \xff parse


def test_analyze(tree: Path) -> None:
    proc = pymigrate("analyze", "--format", "json", "--mypy", str(tree))
    assert proc.returncode == 1
    document = json.loads(proc.stdout)
    analyzed = sorted(Path(f["path"]).name for f in document["files"])
    assert analyzed == sorted(["good.py", os.fsdecode(b"\xffname.py")])  # JSON keeps the \\xff byte as \\udcff
    errors = "\n".join(e["message"] for e in document["errors"])
    assert_reported(errors, tree)
    assert "left out of the mypy check: its name is not valid UTF-8" in proc.stderr


@pytest.mark.parametrize("form", ["markdown", "html", "json", "sarif"])
def test_report(tree: Path, tmp_path: Path, form: str) -> None:
    output = tmp_path / f"report.{form}"
    proc = pymigrate("report", "--format", form, "--output", str(output), str(tree))
    assert proc.returncode == 1
    assert_reported(proc.stderr, tree)
    text = output.read_text(encoding="utf-8")  # written all the same, valid UTF-8
    assert "nul.py" in text  # the failures are part of the report (SARIF: tool execution notifications)
    if form != "sarif":  # SARIF lists results alone, and the readable files have none
        assert "good.py" in text and "xffname.py" in text.replace("\\udcff", "xff")


def test_migrate(tree: Path) -> None:
    (tree / "deep.py").write_text("x = " + "-" * 500 + "1\n")  # CPython takes it; LibCST cannot
    before = {p.name: (p.read_bytes() if p.is_file() else None) for p in tree.iterdir()}
    proc = pymigrate("migrate", "--diff", "--no-upgrade", str(tree))
    assert proc.returncode == 1
    assert_reported(proc.stderr, tree)
    assert f"{tree / 'deep.py'}:1:1: {TOO_DEEP}" in proc.stderr
    assert "; 11 failed" in proc.stderr and "2 unchanged" in proc.stderr  # good and \xff both read
    assert {p.name: (p.read_bytes() if p.is_file() else None) for p in tree.iterdir()} == before


def test_build(tree: Path) -> None:
    for path in list(tree.iterdir()):
        if path.suffix == ".py" and path.is_file() and path.name != "good.py":
            path.rename(path.with_suffix(".pys"))
    os.rename(tree / "fifo.py", tree / "fifo.pys")
    (tree / "good.py").rename(tree / "good.pys")
    for name in ("a-b", "1abc", "caf\u00e9"):
        (tree / f"{name}.pys").write_text("x = 1\n")
    proc = pymigrate("build", "-q", "--no-stubs", str(tree))
    assert proc.returncode == 1
    assert str(tree / "good.cpython-311-x86_64-linux-gnu.so") in proc.stdout or "good." in proc.stdout
    output = proc.stderr.replace(".pys:", ".py:").replace("fifo.pys", "fifo.py").replace("nx.pys", "nx.py")
    assert_reported(output, tree)
    for name in ("a-b", "1abc"):
        assert f"module name '{name}' is not a valid Python identifier" in proc.stderr
    accented = tree / "caf\u00e9.pys"  # an identifier Python imports, but not one pymigrate builds
    assert f"{accented}: error: module name 'caf\u00e9' is not ASCII: pymigrate builds only ASCII module names " \
        "(its entry point is PyInit_<name>); rename the file or its package directory" in proc.stderr.splitlines()
    assert not list(tree.glob("nl*.so"))


def test_shown_names_print_on_one_line() -> None:
    from pymigrate.files import shown

    assert shown(Path("pkg/a\nb\u202e.py")) == "pkg/a\\nb\\u202e.py"
    assert shown(os.fsdecode(b"pkg/\xffname.py")) == "pkg/\\xffname.py"
    assert shown("pkg/caf\u00e9 \u00e0.py") == "pkg/caf\u00e9 \u00e0.py"  # printable text is left as it is


@pytest.mark.parametrize("command", ["parse", "analyze", "migrate", "build", "report"])
def test_a_path_that_does_not_exist_is_a_usage_error_for_every_command(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.py").write_text("def f(x: int) -> int:\n    return x\n")
    missing = tmp_path / "no_such_dir"
    assert main([command, str(tmp_path / "good.py"), str(missing)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"pymigrate {command}: {missing}: no such file or directory\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.py"]  # nothing written, nothing built
