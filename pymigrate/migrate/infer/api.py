"""The result types of inference, as fixed by docs/contracts.md section 3."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ACCESSORS = ("setter", "deleter")
"""A property's setter or deleter shares the getter's qualname: its `functions` key is `qualname@setter`."""


class InferenceError(Exception):
    """Inference could not run (mypy stopped on the package, the trace command failed): the message says why."""


class TraceError(InferenceError):
    """The trace command did not succeed (non-zero exit, not found, timed out)."""


@dataclass
class FunctionTypes:
    params: dict[str, str] = field(default_factory=dict)   # annotation source text, only slots to add
    returns: str | None = None


@dataclass
class FileTypes:
    functions: dict[str, FunctionTypes] = field(default_factory=dict)   # key: qualname
    attributes: dict[str, str] = field(default_factory=dict)            # "C.attr" -> type
    imports: list[str] = field(default_factory=list)                    # statements the annotations need


class PackageTypes:
    def __init__(self, files: dict[Path, FileTypes] | None = None) -> None:
        self.files: dict[Path, FileTypes] = {p.resolve(): f for p, f in (files or {}).items()}

    def for_file(self, path: Path) -> FileTypes:
        return self.files.get(path.resolve(), FileTypes())
