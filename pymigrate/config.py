"""Project configuration from `[tool.pymigrate]` in pyproject.toml.

Found by walking up from the path being processed, as black and ruff do, so running from any
directory inside a project gives the same answer. Command-line flags override it field by field.
Unknown keys are errors: a typo silently ignored is a setting silently lost.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

UPGRADE_POLICIES = ("safe", "annotate-only", "none")

DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    "build",
    "dist",
    "node_modules",
    ".mypy_cache",
    ".pytest_cache",
)


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    """Settings every command shares; frozen, so a command's overrides never leak into another's."""

    include: tuple[str, ...] = ("*.py", "*.pys")
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_under: float | None = None
    baseline: Path | None = None
    upgrade: str = "safe"
    source: Path | None = field(default=None, compare=False)

    def override(self, **changes: Any) -> Config:
        """A copy with each change applied unless it is None (a flag the user did not give)."""
        given = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **given)


_KEYS = {f.name.replace("_", "-"): f.name for f in fields(Config) if f.name != "source"}


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` that has a [tool.pymigrate] table."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                text = candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                # Broken TOML that visibly means to configure us is reported by load_config,
                # never skipped: skipping would silently apply some other file's settings.
                if "[tool.pymigrate" in text:
                    return candidate
                continue
            if "pymigrate" in data.get("tool", {}):
                return candidate
    return None


_HEADER = re.compile(r"^\s*\[(?!\[)\s*([^\]]*?)\s*\]")


def key_position(text: str, key: str) -> tuple[int, int] | None:
    """Line and 1-based column of `key` in the [tool.pymigrate] table of `text`, when written there.

    tomllib keeps no positions; an editor jumping to the bad line is worth this small scan.
    Keys written elsewhere (an inline table, dotted keys under [tool]) give None.
    """
    table = ""
    assignment = re.compile(r"^(\s*)([\"']?)" + re.escape(key) + r"\2\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header is not None:
            table = re.sub(r"[\s\"']", "", header.group(1))
            continue
        match = assignment.match(line)
        if table == "tool.pymigrate" and match is not None:
            return number, len(match.group(1)) + 1
    return None


class _Table:
    """Where each error of one [tool.pymigrate] table points: `path:line:col` when the key is found."""

    def __init__(self, path: Path, text: str | None) -> None:
        self.path = path
        self.text = text

    def error(self, key: str, message: str) -> ConfigError:
        position = key_position(self.text, key) if self.text is not None else None
        where = f"{self.path}:{position[0]}:{position[1]}" if position else str(self.path)
        return ConfigError(f"{where}: {message}")


def _strings(table: _Table, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise table.error(key, f"[tool.pymigrate] {key} must be a string or a list of strings")


def parse_table(table: dict[str, Any], path: Path, text: str | None = None) -> Config:
    """Validate a [tool.pymigrate] table; relative paths are resolved against its file.

    With the file's `text`, each error points at the offending key's line and column.
    """
    where = _Table(path, text)
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = _KEYS.get(key) or _KEYS.get(key.replace("_", "-"))
        if name is None:
            known = ", ".join(sorted(_KEYS))
            raise where.error(key, f"unknown key {key!r} in [tool.pymigrate] (known keys: {known})")
        if name in ("include", "exclude", "select", "ignore"):
            values[name] = _strings(where, key, value)
        elif name == "fail_under":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
                raise where.error(key, f"[tool.pymigrate] {key} must be a number from 0 to 100")
            values[name] = float(value)
        elif name == "baseline":
            if not isinstance(value, str):
                raise where.error(key, f"[tool.pymigrate] {key} must be a path string")
            values[name] = (path.parent / value).resolve()
        elif name == "upgrade":
            if value not in UPGRADE_POLICIES:
                allowed = ", ".join(UPGRADE_POLICIES)
                raise where.error(key, f"[tool.pymigrate] {key} must be one of: {allowed}")
            values[name] = value
    return Config(source=path, **values)


def load_config(start: Path) -> Config:
    """The configuration governing `start`, or the defaults when no file configures it."""
    pyproject = find_pyproject(start)
    if pyproject is None:
        return Config()
    text = pyproject.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = str(exc)
        at = re.search(r" \(at line (\d+), column (\d+)\)$", reason)
        where = f"{pyproject}:{at.group(1)}:{at.group(2)}" if at else str(pyproject)
        reason = reason[: at.start()] if at else reason
        raise ConfigError(f"{where}: invalid TOML: {reason}; fix the file or remove its [tool.pymigrate] table") from exc
    table = data["tool"]["pymigrate"]
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.pymigrate] must be a table")
    return parse_table(table, pyproject, text)
