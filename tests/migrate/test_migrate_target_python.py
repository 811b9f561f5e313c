"""Annotations name what the oldest Python the package supports can find, at run time and for mypy.

`requires-python` is read as PEP 440 specifiers; typing names newer than that Python come from
typing_extensions, imported at run time when the package depends on it everywhere, else only for
type checkers (the annotation quoted). Ground truth: importing the migrated package with that
CPython, and mypy with `--python-version` set to it (3.10 here: `Self` is new in 3.11, and 3.10 is the
oldest target this mypy accepts).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pymigrate.cli import main
from pymigrate.migrate.infer.project import depends_on, oldest_python

OLDEST = Path("/root/.pyenv/versions/3.10.13/bin/python")     # Self is new in 3.11


@pytest.mark.parametrize("spec,oldest", [
    (">=3.9", (3, 9)),
    (">3.8", (3, 8)),              # PEP 440: 3.8.1 is greater than 3.8
    (">=3.8, !=3.8.*", (3, 9)),
    ("~=3.9", (3, 9)),
    ("==3.12.*", (3, 12)),
    (">=2.7, !=3.0.*, !=3.1.*, <4", (3, 2)),
    ("<3", None),
    ("not a specifier", None),
])
def test_oldest_python_reads_pep_440_specifiers(spec: str, oldest: tuple[int, int] | None) -> None:
    assert oldest_python(spec) == oldest


def test_only_an_unconditional_dependency_counts(tmp_path: Path) -> None:
    def project(dependencies: str) -> Path:
        (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "p"\ndependencies = [{dependencies}]\n')
        return tmp_path

    assert depends_on(project('"typing_extensions>=4"'), "typing-extensions")
    assert depends_on(project('"Typing.Extensions"'), "typing-extensions")
    assert not depends_on(project('"typing_extensions; python_version < \'3.11\'"'), "typing-extensions")
    assert not depends_on(project('"typing-extensions-plus"'), "typing-extensions")


CART = '''\
class Cart:
    def __init__(self):
        self.items = []

    def add(self, item):
        self.items.append(item)
        return self


def fill(cart, names):
    for name in names:
        cart.add(name)
    return cart


CART = fill(Cart(), ["apple", "pear"])
'''


def _package(root: Path, dependencies: str) -> Path:
    (root / "src" / "shop").mkdir(parents=True)
    (root / "pyproject.toml").write_text(textwrap.dedent(f"""\
        [project]
        name = "shop"
        version = "1"
        requires-python = "~=3.10"
        dependencies = [{dependencies}]
        """))
    (root / "src" / "shop" / "__init__.py").write_text("")
    (root / "src" / "shop" / "cart.py").write_text(CART)
    return root


@pytest.mark.skipif(not OLDEST.exists(), reason=f"needs CPython 3.10 at {OLDEST}")
@pytest.mark.parametrize("dependencies,import_line,returns", [
    ("", "if TYPE_CHECKING:\n    from typing_extensions import Self\n", '-> "Self":'),
    ('"typing_extensions>=4"', "from typing_extensions import Self\n", "-> Self:"),
])
def test_migrated_package_imports_and_type_checks_on_its_oldest_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dependencies: str, import_line: str, returns: str
) -> None:
    root = _package(tmp_path, dependencies)
    monkeypatch.chdir(root)
    assert main(["migrate", "src/shop", "--no-upgrade", "--write"]) == 0
    text = (root / "src" / "shop" / "cart.py").read_text()
    assert import_line in text and f"def add(self, item: str) {returns}" in text
    # the dependency, where the package has one, is installed with it
    site = tmp_path / "site"
    site.mkdir()
    if dependencies:
        import typing_extensions

        shutil.copy(typing_extensions.__file__, site)
    path = os.pathsep.join([str(root / "src"), str(site)])
    done = subprocess.run([str(OLDEST), "-c", "import shop.cart; print(shop.cart.CART.items)"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": path})
    assert (done.returncode, done.stdout) == (0, "['apple', 'pear']\n"), done.stderr
    checked = subprocess.run([sys.executable, "-m", "mypy", "--python-version", "3.10", "--strict",
                              "--no-incremental", "--allow-untyped-defs", "--allow-incomplete-defs",
                              "--allow-untyped-calls", "src/shop"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


PYTHON_38 = Path("/root/.pyenv/versions/3.8.18/bin/python")
PICK = '''\
def pick(names, wanted):
    for name in names:
        if name == wanted:
            return [name]
    return None


FOUND = pick(["a", "b"], "b")
'''


@pytest.mark.skipif(not PYTHON_38.exists(), reason=f"needs CPython 3.8 at {PYTHON_38}")
def test_unions_and_generics_are_spelled_so_the_oldest_python_evaluates_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`X | None` needs 3.10 at run time, `list[str]` and `collections.abc.Iterable[str]` 3.9: for `~=3.8`
    (3.8 and later) none of them (before, `~=` was not read and the running 3.11 was the target)."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "1"\nrequires-python = "~=3.8"\n')
    (tmp_path / "pick.py").write_text(PICK)
    monkeypatch.chdir(tmp_path)
    assert main(["migrate", "pick.py", "--no-upgrade", "--write"]) == 0
    text = (tmp_path / "pick.py").read_text()
    assert "def pick(" in text and text != PICK and "|" not in text and "list[" not in text
    done = subprocess.run([str(PYTHON_38), "-c", "import pick; print(pick.FOUND, pick.pick.__annotations__)"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("['b'] {"), done.stderr
