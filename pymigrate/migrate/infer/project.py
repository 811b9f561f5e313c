"""What the package's own metadata says about where its code runs: the oldest Python it supports
(``requires-python``, read as PEP 440 specifiers) and whether ``typing_extensions`` is installed
wherever it is (an unconditional dependency), so that annotations name what that Python can find."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

_LAST_MINOR = 40        # far enough ahead: the first 3.x any of whose releases the specifiers allow
_LAST_MICRO = 40


def _project(root: Path) -> dict[str, Any] | None:
    """The ``[project]`` table of the nearest pyproject.toml at or above ``root`` (None without one)."""
    for directory in [root, *root.parents]:
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                return None
            project = data.get("project")
            return project if isinstance(project, dict) else {}
    return None


def oldest_python(requires: str) -> tuple[int, int] | None:
    """The first ``3.x`` with a release ``requires`` allows (``>=3.8`` and ``>3.8``, which allows 3.8.1,
    give 3.8; ``>=3.8, !=3.8.*`` gives 3.9); None when it allows no 3.x release or does not parse."""
    try:
        spec = SpecifierSet(requires)
    except InvalidSpecifier:
        return None
    for minor in range(_LAST_MINOR):
        if any(spec.contains(Version(f"3.{minor}.{micro}"), prereleases=False) for micro in range(_LAST_MICRO)):
            return (3, minor)
    return None


def python_version_of(root: Path) -> tuple[int, int]:
    """The oldest Python the package supports, from ``requires-python``; else the running interpreter's."""
    project = _project(root)
    requires = project.get("requires-python") if project else None
    found = oldest_python(requires) if isinstance(requires, str) else None
    return found or (sys.version_info.major, sys.version_info.minor)


def depends_on(root: Path, distribution: str) -> bool:
    """The package requires ``distribution`` on every Python and platform (no environment marker, not an
    extra): importing from it at run time cannot fail where the package is installed."""
    project = _project(root)
    wanted = canonicalize_name(distribution)
    for line in (project or {}).get("dependencies", []) or []:
        try:
            requirement = Requirement(str(line))
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) == wanted and requirement.marker is None:
            return True
    return False
