"""Test modules are never upgraded to `.pys`: test runners would stop collecting them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pymigrate.cli import main
from pymigrate.files import is_test_module

PACKAGES = Path(__file__).resolve().parents[2] / "fixtures" / "packages"


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("pkg/test_core.py", True),
        ("pkg/core_test.py", True),
        ("pkg/conftest.py", True),
        ("pkg/tests/helpers.py", True),
        ("pkg/core.py", False),
        ("pkg/testing_utils.py", False),
    ],
)
def test_test_modules_are_recognised_by_name_and_directory(rel: str, expected: bool, tmp_path: Path) -> None:
    assert is_test_module(tmp_path / rel, tmp_path) is expected


def test_directories_above_the_root_do_not_count(tmp_path: Path) -> None:
    project = tmp_path / "tests" / "project"
    assert is_test_module(project / "pkg" / "core.py", project) is False
    assert is_test_module(project / "pkg" / "tests" / "util.py", project) is True


def test_a_package_with_its_tests_inside_keeps_them_as_py(tmp_path: Path) -> None:
    package = tmp_path / "demo_kernels"
    shutil.copytree(PACKAGES / "demo_kernels", package, ignore=shutil.ignore_patterns("__pycache__"))
    helper = package / "tests" / "test_helpers.py"
    helper.write_text("def double(x: int) -> int:\n    return x * 2\n", encoding="utf-8")
    assert main(["migrate", str(package), "--write"]) == 0
    assert (package / "kernels.pys").exists()  # the package itself is upgraded
    assert helper.read_text(encoding="utf-8") == "def double(x: int) -> int:\n    return x * 2\n"
    assert (package / "tests" / "test_kernels.py").exists()
    assert not list((package / "tests").glob("*.pys"))
