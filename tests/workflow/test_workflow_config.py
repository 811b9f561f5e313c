"""[tool.pymigrate] configuration: every key, bad values, unknown keys, discovery, flag overrides."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pymigrate.config import Config, ConfigError, find_pyproject, load_config


def write_pyproject(directory: Path, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "pyproject.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_defaults_without_any_pyproject(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config()
    assert config.include == ("*.py", "*.pys")
    assert config.exclude == ()
    assert config.fail_under is None
    assert config.baseline is None
    assert config.upgrade == "safe"
    assert config.source is None


def test_every_key_is_read(tmp_path: Path) -> None:
    pyproject = write_pyproject(
        tmp_path,
        "[tool.pymigrate]\n"
        'include = ["*.py"]\n'
        'exclude = ["tests/*", "legacy"]\n'
        'select = ["PM1", "PM2"]\n'
        'ignore = "PM201"\n'
        "fail-under = 42.5\n"
        'baseline = "ci/readiness.json"\n'
        'upgrade = "annotate-only"\n',
    )
    config = load_config(tmp_path)
    assert config.include == ("*.py",)
    assert config.exclude == ("tests/*", "legacy")
    assert config.select == ("PM1", "PM2")
    assert config.ignore == ("PM201",)  # a single string is a one-element list
    assert config.fail_under == 42.5
    assert config.baseline == (tmp_path / "ci" / "readiness.json").resolve()
    assert config.upgrade == "annotate-only"
    assert config.source == pyproject


def test_underscore_spelling_is_accepted(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "[tool.pymigrate]\nfail_under = 10\n")
    assert load_config(tmp_path).fail_under == 10.0


@pytest.mark.parametrize("policy", ["safe", "annotate-only", "none"])
def test_each_upgrade_policy(tmp_path: Path, policy: str) -> None:
    write_pyproject(tmp_path, f'[tool.pymigrate]\nupgrade = "{policy}"\n')
    assert load_config(tmp_path).upgrade == policy


def test_unknown_key_is_named(tmp_path: Path) -> None:
    pyproject = write_pyproject(tmp_path, "[tool.pymigrate]\nfail-undr = 50\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{pyproject}:2:1: unknown key 'fail-undr' in [tool.pymigrate]")
    assert "fail-under" in message  # the known keys are listed so the typo is obvious


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("include = 3", "include must be a string or a list of strings"),
        ('exclude = ["a", 1]', "exclude must be a string or a list of strings"),
        ("select = true", "select must be a string or a list of strings"),
        ('ignore = [["x"]]', "ignore must be a string or a list of strings"),
        ("fail-under = 101", "fail-under must be a number from 0 to 100"),
        ("fail-under = -1", "fail-under must be a number from 0 to 100"),
        ('fail-under = "80"', "fail-under must be a number from 0 to 100"),
        ("fail-under = true", "fail-under must be a number from 0 to 100"),
        ("baseline = 5", "baseline must be a path string"),
        ('upgrade = "everything"', "upgrade must be one of: safe, annotate-only, none"),
    ],
)
def test_invalid_values_name_file_and_key(tmp_path: Path, body: str, expected: str) -> None:
    pyproject = write_pyproject(tmp_path, f"[tool.pymigrate]\n{body}\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value) == f"{pyproject}:2:1: [tool.pymigrate] {expected}"


def test_error_points_at_the_key_in_its_table(tmp_path: Path) -> None:
    text = '[project]\nupgrade = 1\n\n[ tool . "pymigrate" ]\ninclude = ["*.py"]\n  "upgrade" = "all"\n'
    pyproject = write_pyproject(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value).startswith(f"{pyproject}:6:3: [tool.pymigrate] upgrade must be one of")


def test_error_without_a_findable_key_names_the_file(tmp_path: Path) -> None:
    pyproject = write_pyproject(tmp_path, "[tool]\npymigrate = { upgrade = 1 }\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value).startswith(f"{pyproject}: [tool.pymigrate] upgrade must be one of")


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    pyproject = write_pyproject(tmp_path / "proj", "[tool.pymigrate]\nfail-under = \n")
    write_pyproject(tmp_path, "[tool.pymigrate]\nfail-under = 10\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "proj")
    assert str(info.value).startswith(f"{pyproject}:2:14: invalid TOML: ")
    assert str(info.value).endswith("; fix the file or remove its [tool.pymigrate] table")


def test_broken_unrelated_pyproject_is_passed_by(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "[tool.pymigrate]\nfail-under = 10\n")
    write_pyproject(tmp_path / "other", "[project\nname = 'x'\n")
    assert load_config(tmp_path / "other").fail_under == 10.0


def test_table_that_is_not_a_table(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "[tool]\npymigrate = 3\n")
    with pytest.raises(ConfigError, match=r"\[tool.pymigrate\] must be a table"):
        load_config(tmp_path)


def test_walks_up_from_a_nested_directory_and_file(tmp_path: Path) -> None:
    pyproject = write_pyproject(tmp_path, "[tool.pymigrate]\nfail-under = 70\n")
    nested = tmp_path / "src" / "pkg" / "sub"
    nested.mkdir(parents=True)
    module = nested / "mod.py"
    module.write_text("x = 1\n", encoding="utf-8")
    assert find_pyproject(nested) == pyproject
    assert find_pyproject(module) == pyproject
    assert load_config(module).fail_under == 70.0


def test_nearest_configured_pyproject_wins(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "[tool.pymigrate]\nfail-under = 10\n")
    inner = write_pyproject(tmp_path / "inner", "[tool.pymigrate]\nfail-under = 90\n")
    assert find_pyproject(tmp_path / "inner") == inner
    assert load_config(tmp_path / "inner").fail_under == 90.0
    assert load_config(tmp_path).fail_under == 10.0


def test_pyproject_without_table_is_passed_by(tmp_path: Path) -> None:
    """Like black and ruff: a sub-project's pyproject.toml without our table does not stop the walk."""
    outer = write_pyproject(tmp_path, '[tool.pymigrate]\nupgrade = "none"\n')
    write_pyproject(tmp_path / "pkg", "[project]\nname = 'pkg'\n")
    assert find_pyproject(tmp_path / "pkg") == outer
    assert load_config(tmp_path / "pkg").upgrade == "none"


def test_baseline_is_relative_to_its_pyproject_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_pyproject(tmp_path, '[tool.pymigrate]\nbaseline = "readiness.json"\n')
    (tmp_path / "deep").mkdir()
    monkeypatch.chdir(tmp_path / "deep")
    assert load_config(Path(".")).baseline == (tmp_path / "readiness.json").resolve()


def test_flags_override_field_by_field(tmp_path: Path) -> None:
    write_pyproject(
        tmp_path,
        '[tool.pymigrate]\nselect = ["PM1"]\nfail-under = 50\nupgrade = "none"\n',
    )
    config = load_config(tmp_path)
    changed = config.override(fail_under=80.0, select=None, ignore=("PM9",))
    assert changed.fail_under == 80.0  # the flag wins
    assert changed.select == ("PM1",)  # a flag not given keeps the file's value
    assert changed.ignore == ("PM9",)
    assert changed.upgrade == "none"
    assert config.fail_under == 50.0  # the original is unchanged


DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_documented_example_loads(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    example = text[text.index("```toml\n") + 8 :].split("```")[0]
    write_pyproject(tmp_path, example)
    config = load_config(tmp_path)
    assert config.include == ("*.py", "*.pys")
    assert config.exclude == ("tests", "src/pkg/_generated_*")
    assert (config.select, config.ignore) == (("PM1", "PM3"), ("PM313",))
    assert config.fail_under == 60.0
    assert config.baseline == (tmp_path / "readiness-baseline.json").resolve()
    assert config.upgrade == "safe"


def test_documented_error_message(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    shown = text[text.index("$ pymigrate report src\n") :].split("```")[0].splitlines()[1]
    pyproject = write_pyproject(tmp_path, "[tool.pymigrate]\nfail-undr = 1\n")
    (tmp_path / "src").mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "pymigrate", "report", "src"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.strip() == shown.replace("/home/me/proj/pyproject.toml", str(pyproject))
