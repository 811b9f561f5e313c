"""Bad input is reported per file and the run goes on: syntax errors, bad bytes, binaries, huge and
unreadable files, symlink loops; `.pys` files; columns in characters; parallel equals serial."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pymigrate.analyze import analyze_file, analyze_paths, analyze_source, engine
from pymigrate.config import Config

GOOD = "def area(w: float, h: float) -> float:\n    return w * h\n"


def errors_by_name(root: Path, **kwargs: object) -> dict[str, str]:
    report = analyze_paths([root], Config(), jobs=1)
    assert report.files[0].path.endswith("good.py") or any(m.path.endswith("good.py") for m in report.files)
    return {Path(e["path"]).name: e["message"] for e in report.errors}


def test_syntax_error_position_is_cpythons(tmp_path: Path) -> None:
    source = "x = 1\ndef f(a, b:\n    pass\n"
    (tmp_path / "bad.py").write_text(source, encoding="utf-8")
    (tmp_path / "good.py").write_text(GOOD, encoding="utf-8")
    with pytest.raises(SyntaxError) as info:
        compile(source, "bad.py", "exec")
    errors = errors_by_name(tmp_path)
    assert errors["bad.py"].startswith(f"{tmp_path / 'bad.py'}:{info.value.lineno}:{info.value.offset}: error: syntax error: "
                                       f"{info.value.msg}")


def test_errors_only_the_compiler_raises(tmp_path: Path) -> None:
    # ast.parse accepts these; compile() rejects them, so they are broken Python too
    (tmp_path / "ret.py").write_text("return 1\n", encoding="utf-8")
    (tmp_path / "nonlocal.py").write_text("def f():\n    nonlocal x\n", encoding="utf-8")
    (tmp_path / "good.py").write_text(GOOD, encoding="utf-8")
    errors = errors_by_name(tmp_path)
    assert "'return' outside function" in errors["ret.py"]
    assert "no binding for nonlocal 'x' found" in errors["nonlocal.py"]


def test_undecodable_and_binary_files(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes(b"s = '\xe9t\xe9'\n")  # not UTF-8, no coding declaration
    (tmp_path / "binary.py").write_bytes(b"\x7fELF\x00\x00\x01\x02")
    (tmp_path / "bogus_coding.py").write_bytes(b"# -*- coding: no-such-codec -*-\nx = 1\n")
    (tmp_path / "good.py").write_text(GOOD, encoding="utf-8")
    errors = errors_by_name(tmp_path)
    assert set(errors) == {"latin.py", "binary.py", "bogus_coding.py"}
    assert errors["latin.py"].startswith(f"{tmp_path / 'latin.py'}:1:6: error: the file is not UTF-8 and declares no encoding")
    assert errors["binary.py"] == f"{tmp_path / 'binary.py'}:1:5: error: source contains a null byte; remove it"
    assert "no-such-codec" in errors["bogus_coding.py"]


def test_declared_encoding_is_honoured_and_columns_count_characters(tmp_path: Path) -> None:
    path = tmp_path / "latin1.py"
    path.write_bytes("# -*- coding: latin-1 -*-\ns = 'ééé'; var = 2\n".encode("latin-1"))
    module = analyze_file(path, Config())
    assert module.error is None
    (finding,) = module.findings
    assert (finding.code, finding.line, finding.column) == ("PM101", 2, 12)
    utf8 = analyze_source("s = 'ééé'; var = 2\n", Path("u.py"))
    assert utf8.findings[0].column == 12


def test_huge_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "MAX_FILE_BYTES", 1000)
    (tmp_path / "huge.py").write_text("x = 1\n" * 500, encoding="utf-8")
    (tmp_path / "good.py").write_text(GOOD, encoding="utf-8")
    errors = errors_by_name(tmp_path)
    assert "file too large to analyze (3000 bytes; the limit is 1000)" in errors["huge.py"]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked.py"
    locked.write_text(GOOD, encoding="utf-8")
    (tmp_path / "good.py").write_text(GOOD, encoding="utf-8")
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    errors = errors_by_name(tmp_path)
    assert errors == {"locked.py": f"{locked}: cannot read: Permission denied"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_by_mode(tmp_path: Path) -> None:
    locked = tmp_path / "locked.py"
    locked.write_text(GOOD, encoding="utf-8")
    (tmp_path / "good.py").write_text(GOOD, encoding="utf-8")
    locked.chmod(0)
    try:
        assert "Permission denied" in errors_by_name(tmp_path)["locked.py"]
    finally:
        locked.chmod(0o644)


def test_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(GOOD, encoding="utf-8")
    (tmp_path / "a.py").symlink_to(tmp_path / "b.py")
    (tmp_path / "b.py").symlink_to(tmp_path / "a.py")
    sub = tmp_path / "pkg"
    sub.mkdir()
    (sub / "loop").symlink_to(tmp_path, target_is_directory=True)
    report = analyze_paths([tmp_path], Config(), jobs=1)
    messages = [e["message"] for e in report.errors]
    assert any(m.endswith("a.py: cannot read: symlink loop") for m in messages)
    assert any(m.endswith("b.py: cannot read: symlink loop") for m in messages)
    assert any("symlink loop: directory already visited" in m for m in messages)
    assert [Path(m.path).name for m in report.files if m.error is None] == ["good.py"]


def test_internal_failure_in_one_file_is_reported_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "good.py").write_text(GOOD, encoding="utf-8")
    (tmp_path / "boom.py").write_text("x = 1\n", encoding="utf-8")
    real = engine._analyze

    def flaky(source: str | bytes, path: str, *rest: object) -> object:
        if path.endswith("boom.py"):
            raise RuntimeError("simulated")
        return real(source, path, *rest)

    monkeypatch.setattr(engine, "_analyze", flaky)
    errors = errors_by_name(tmp_path)
    assert errors == {"boom.py": f"{tmp_path / 'boom.py'}: {engine.INTERNAL} RuntimeError: simulated"}


def test_superset_file(tmp_path: Path) -> None:
    path = tmp_path / "m.pys"
    path.write_text("fn area(w: float, h: float) -> float:\n    return w * h\n\n"
                    "def helper(x):\n    return x\n\n`fn` = 3\n", encoding="utf-8")
    module = analyze_file(path, Config())
    assert module.error is None
    assert [(f.qualname, f.status) for f in module.functions] == [("area", "ready"), ("helper", "inferable")]
    assert not any(f.code.startswith("PM1") for f in module.findings)
    broken = tmp_path / "broken.pys"
    broken.write_text("fn = 1\n", encoding="utf-8")
    error = analyze_file(broken, Config()).error
    assert error is not None and "syntax error" in error


def test_parallel_run_equals_serial(tmp_path: Path) -> None:
    for i in range(30):
        body = GOOD if i % 3 else "def run(e: str) -> int:\n    return eval(e)\n"
        (tmp_path / f"m{i:02}.py").write_text(body, encoding="utf-8")
    (tmp_path / "zz_bad.py").write_text("def (\n", encoding="utf-8")
    serial = analyze_paths([tmp_path], Config(), jobs=1)
    parallel = analyze_paths([tmp_path], Config(), jobs=2)
    assert parallel.to_json() == serial.to_json()
    assert len(serial.files) == 31 and len(serial.errors) == 1


def test_analyze_source_never_raises_on_bad_text() -> None:
    for text in ("def (:", "\x00", "x = '\udcff'\n", "(" * 300 + ")" * 300):
        module = analyze_source(text, Path("t.py"))
        try:
            compile(text, "t.py", "exec")
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            assert module.error is not None
        else:
            assert module.error is None
    good = analyze_source(GOOD, Path("t.py"))  # and the same call still analyzes good text
    assert good.error is None and [(f.qualname, f.status) for f in good.functions] == [("area", "ready")]


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "good.py").write_text(GOOD, encoding="utf-8")
    report = analyze_paths([tmp_path], Config(), progress=True, jobs=1)
    assert report.files[0].error is None
    assert capsys.readouterr().err == ""


def test_progress_bar_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    (tmp_path / "good.py").write_text(GOOD, encoding="utf-8")
    fake = Tty()
    monkeypatch.setattr("sys.stderr", fake)
    analyze_paths([tmp_path], Config(), progress=True, jobs=1)
    assert "analyzing" in fake.getvalue()
