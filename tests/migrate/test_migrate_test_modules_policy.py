"""Test modules stay `.py` files under every `upgrade` policy: with `upgrade = "none"` the migrator only
backticks keyword names, which a `.py` test module does not need (`fn`, `struct`, `var` are plain Python
names there), so it is left exactly as it is and pytest still collects it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pymigrate import files
from pymigrate.analyze import engine
from pymigrate.cli import main
from pymigrate.config import Config
from pymigrate.migrate import pipeline
from pymigrate.migrate.pipeline import Options, Stages, migrate_source

TEST_MODULES = {
    "test_names.py": "def test_keyword_names():\n    fn = 2\n    struct = [fn]\n    assert struct == [2]\n",
    "names_test.py": "def test_var():\n    var = 3\n    assert var == 3\n",
    "conftest.py": "import pytest\n\n\n@pytest.fixture\ndef struct():\n    return {'fn': 1}\n",
    "tests/test_inner.py": "def test_inner(struct):\n    fn = struct['fn']\n    assert fn == 1\n",
}
MODULE = "def first(var):\n    return var[0]\n"


def package(tmp_path: Path, policy: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f'[tool.pymigrate]\nupgrade = "{policy}"\n', encoding="utf-8")
    root = tmp_path / "pkg"
    for name, text in {**TEST_MODULES, "names.py": MODULE}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_policy_none_leaves_test_modules_as_they_are(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = package(tmp_path, "none")
    assert main(["migrate", str(root), "--check"]) == 1  # names.py would change, the test modules would not
    err = capsys.readouterr().err
    for name in ("test_names.py", "names_test.py", "conftest.py", "tests/test_inner.py"):
        assert f"{name}: note: not backticked: a test module stays a .py file" in err
    assert main(["migrate", str(root), "--write"]) == 0
    for name, text in TEST_MODULES.items():
        assert (root / name).read_text(encoding="utf-8") == text, name
        assert not (root / name).with_suffix(".pys").exists(), name
    assert (root / "names.pys").read_text(encoding="utf-8") == "def first(`var`):\n    return `var`[0]\n"
    assert not (root / "names.py").exists()
    assert main(["migrate", str(root), "--check"]) == 0  # idempotent: nothing left to do
    # ground truth: pytest still collects and passes every test the package had
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                           str(root)], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 passed" in proc.stdout


@pytest.mark.parametrize("policy", ["none", "annotate-only", "safe"])
@pytest.mark.parametrize("name", sorted(TEST_MODULES))
def test_no_policy_turns_a_test_module_into_pys(policy: str, name: str, tmp_path: Path) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a test module is neither annotated without types nor analyzed")

    path = tmp_path / name
    text = TEST_MODULES[name]
    options = Options.from_policy(Config(upgrade=policy))
    result = migrate_source(text.encode(), path, None, options, Stages(never, never, never), tmp_path)
    assert (result.error, result.output_path, result.after, result.changed) == (None, path, text, False)


def test_one_package_root() -> None:
    assert pipeline.package_root is files.package_root
    assert engine.package_root is files.package_root
