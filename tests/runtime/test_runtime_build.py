"""`pymigrate build` and pymigrate.codegen.build, with a stand-in compiler (see conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from pymigrate import cli
from pymigrate.codegen import build
from pymigrate.runtime import build_package

SUFFIX = build.extension_suffix()



@pytest.fixture
def plain_python(base_python: str) -> Callable[[str, Path], subprocess.CompletedProcess[str]]:
    """Run code in an interpreter that has only the given directory on its path (no site-packages)."""

    def run(code: str, path: Path) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env["PYTHONPATH"] = str(path)
        return subprocess.run(
            [base_python, "-S", "-c", code], cwd=path, env=env, capture_output=True, text=True, check=False
        )

    return run


def test_built_module_imports_in_a_plain_interpreter(module_source: str, tmp_path: Path, standin_compiler: Any, plain_python: Any) -> None:
    (tmp_path / "mod.pys").write_text(module_source)
    built = build.build_file(tmp_path / "mod.pys")
    assert built.extension == tmp_path / f"mod{SUFFIX}"
    assert built.module_name == "mod"
    proc = plain_python(
        "import sys, mod\n"
        "print(mod.X, mod.twice(21), type(mod.add).__name__, mod.__name__)\n"
        "print(mod.__file__)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pymigrate', 'llvmlite'))))\n"
        "mod.boom()\n",
        tmp_path,
    )
    out = proc.stdout.splitlines()
    assert out[0] == "3 42 builtin_function_or_method mod"
    assert out[1] == str(tmp_path / f"mod{SUFFIX}")
    assert out[2] == "[]"
    # The remainder's traceback points into the .pys beside the extension.
    assert f'File "{tmp_path / "mod.pys"}", line 9, in boom' in proc.stderr
    assert 'raise ValueError("boom from the remainder")' in proc.stderr
    assert proc.stderr.rstrip().endswith("ValueError: boom from the remainder")


def test_reload_of_a_built_module_is_a_no_op(tmp_path: Path, standin_compiler: Any, plain_python: Any) -> None:
    """As for every multi-phase extension module, reload keeps the module as it is."""
    (tmp_path / "counter.pys").write_text("import builtins\nbuiltins.COUNT = getattr(builtins, 'COUNT', 0) + 1\n")
    build.build_file(tmp_path / "counter.pys")
    proc = plain_python(
        "import importlib, builtins, counter\nimportlib.reload(counter)\nprint(builtins.COUNT, counter.add(2, 3))",
        tmp_path,
    )
    assert proc.stdout.split() == ["1", "5"], proc.stderr


def test_package_init_and_submodule(tmp_path: Path, standin_compiler: Any, plain_python: Any) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.pys").write_text("Y = add(3, 4)\n")
    (pkg / "sub.pys").write_text("from . import Y\nZ = add(Y, 1)\n")
    (pkg / "helper.py").write_text("H = 1\n")
    written = build_package(pkg)
    assert written == [pkg / f"__init__{SUFFIX}", pkg / f"sub{SUFFIX}"]
    proc = plain_python("import pkg.sub, pkg.helper\nprint(pkg.Y, pkg.sub.Z, pkg.__path__)", tmp_path)
    assert proc.stdout.strip() == f"7 8 [{str(pkg)!r}]", proc.stderr


def test_module_name_from_package_layout(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "__init__.py").write_text("")
    (tmp_path / "a" / "b" / "__init__.pys").write_text("")
    (tmp_path / "a" / "b" / "c.pys").write_text("")
    assert build.module_name_for(tmp_path / "a" / "b" / "c.pys") == "a.b.c"
    assert build.module_name_for(tmp_path / "a" / "b" / "__init__.pys") == "a.b"


def test_failed_link_keeps_the_previous_extension(module_source: str, tmp_path: Path, standin_compiler: Any, plain_python: Any) -> None:
    (tmp_path / "mod.pys").write_text(module_source)
    first = build.build_file(tmp_path / "mod.pys").extension
    before = first.read_bytes()
    broken = build.Toolchain(cc=("false",), cflags=(), ldshared=("false",), include_dirs=build.Toolchain.from_sysconfig().include_dirs)
    with pytest.raises(build.BuildError, match="mod: compiling the entry point failed"):
        build.build_file(tmp_path / "mod.pys", toolchain=broken)
    assert first.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["mod.pys", "mod.pyi", first.name])


def test_missing_compiler_is_a_clear_error(module_source: str, tmp_path: Path, standin_compiler: Any, plain_python: Any) -> None:
    (tmp_path / "mod.pys").write_text(module_source)
    missing = build.Toolchain(cc=("no-such-cc-xyz",), cflags=(), ldshared=("no-such-cc-xyz", "-shared"), include_dirs=())
    with pytest.raises(build.BuildError, match="C compiler 'no-such-cc-xyz' not found on PATH"):
        build.build_file(tmp_path / "mod.pys", toolchain=missing)
    assert not (tmp_path / f"mod{SUFFIX}").exists()


def test_only_pys_files_are_built(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text("")
    with pytest.raises(build.BuildError, match=r"mod.py: not a .pys file"):
        build.build_file(tmp_path / "mod.py")


def test_entry_point_rejects_non_identifier_names() -> None:
    with pytest.raises(build.BuildError, match="only ASCII module names"):
        build.render_entry("pkg.my-mod", "init", b"", "my-mod.pys")


def test_cli_builds_many_files_with_progress(
    tmp_path: Path, standin_compiler: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("one", "two", "three"):
        (tmp_path / f"{name}.pys").write_text(f"NAME = {name!r}\n")
    (tmp_path / "plain.py").write_text("")
    assert cli.main(["build", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    expected = []
    for name in ("one", "three", "two"):
        expected += [str(tmp_path / f"{name}{SUFFIX}"), str(tmp_path / f"{name}.pyi")]
    assert out.splitlines() == expected
    assert err.splitlines() == [
        f"[1/3] {tmp_path / 'one.pys'}",
        f"[2/3] {tmp_path / 'three.pys'}",
        f"[3/3] {tmp_path / 'two.pys'}",
        "built 3 of 3 modules",
    ]


def test_cli_reports_errors_with_positions_and_builds_the_rest(
    tmp_path: Path, standin_compiler: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad_syntax.pys").write_text("x = 1\ny = (\n")
    (tmp_path / "bad_type.pys").write_text("x = 1\n\ny = 2  # COMPILE ERROR here\n")
    (tmp_path / "good.pys").write_text("G = add(1, 1)\n")
    assert cli.main(["build", "-q", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [str(tmp_path / f"good{SUFFIX}"), str(tmp_path / "good.pyi")]
    lines = err.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'bad_syntax.pys'}:2:")
    assert "error:" in lines[0]
    assert lines[1] == f"{tmp_path / 'bad_type.pys'}:3:10: error: stand-in compile error"
    assert not (tmp_path / f"bad_syntax{SUFFIX}").exists()


def test_cli_no_pys_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "plain.py").write_text("")
    assert cli.main(["build", str(tmp_path)]) == 1
    assert "no .pys files found" in capsys.readouterr().err
    assert cli.main(["build", str(tmp_path / "plain.py")]) == 1
    assert "not a .pys file" in capsys.readouterr().err


def test_cli_help_has_an_example() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pymigrate", "build", "--help"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert "pymigrate build src/mypkg" in proc.stdout
    assert "--cpu" in proc.stdout


@pytest.mark.parametrize("cpu", ["generic", "x86-64"])
def test_portable_cpu_builds(
    tmp_path: Path, standin_compiler: Any, plain_python: Any, module_source: str, cpu: str
) -> None:
    if cpu == "x86-64" and build.sysconfig.get_config_var("HOST_GNU_TYPE").split("-")[0] != "x86_64":
        pytest.skip("an x86-64 CPU name needs an x86-64 host")
    (tmp_path / "mod.pys").write_text(module_source)
    build.build_file(tmp_path / "mod.pys", cpu=cpu, opt_level=1)
    assert plain_python("import mod; print(mod.twice(mod.X))", tmp_path).stdout.strip() == "6"


def test_cli_reports_an_internal_compiler_error_and_builds_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, standin_compiler: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    def flaky(source: Path, module_name: str, *, opt_level: int = 3) -> Any:
        if source.name == "crash.pys":
            raise KeyError("a compiler bug")
        return standin_compiler(source, module_name, opt_level=opt_level)

    monkeypatch.setattr(build, "compile_source", flaky)
    (tmp_path / "crash.pys").write_text("")
    (tmp_path / "fine.pys").write_text("")
    assert cli.main(["build", "-q", "--no-stubs", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [str(tmp_path / f"fine{SUFFIX}")]
    assert f"{tmp_path / 'crash.pys'}: internal error while building (KeyError: 'a compiler bug'); please report it" in err
    assert "Traceback" in err
    assert not (tmp_path / "fine.pyi").exists()


def test_builds_are_reproducible(tmp_path: Path, standin_compiler: Any, module_source: str) -> None:
    (tmp_path / "mod.pys").write_text(module_source)
    first = build.build_file(tmp_path / "mod.pys").extension.read_bytes()
    assert build.build_file(tmp_path / "mod.pys").extension.read_bytes() == first


def test_cli_parallel_build_keeps_file_order(
    tmp_path: Path, standin_compiler: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.pys").write_text(f"NAME = {name!r}\n")
    (tmp_path / "d.pys").write_text("x = (\n")
    assert cli.main(["build", "-j", "3", "--no-stubs", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [str(tmp_path / f"{name}{SUFFIX}") for name in ("a", "b", "c")]
    lines = err.splitlines()
    assert lines[:3] == [f"[{i}/4] {tmp_path / n}.pys" for i, n in ((1, "a"), (2, "b"), (3, "c"))]
    assert lines[3] == f"[4/4] {tmp_path / 'd.pys'}"
    assert lines[4].startswith(f"{tmp_path / 'd.pys'}:1:")
    assert lines[-1] == "built 3 of 4 modules"
