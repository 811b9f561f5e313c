"""Compiler diagnostics: where, what is wrong, and what to write instead.

Each diagnostic carries the analyzer's hint code for its reason (docs/rules/<code>.md): the analyzer
reports the checker's diagnostics under these codes, so a hint and the compiler's verdict are one.
"""

from __future__ import annotations

from dataclasses import dataclass

TYPE_ERROR = "PM318"  # the checker's most common reason: a type does not work out as a fn's rules say


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int
    col: int  # 1-based
    message: str
    code: str = "PM320"  # compiler-rejects: a reason no narrower code names

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: error: {self.message}"


class CompileError(Exception):
    """Raised by compile_module when the checker rejects the module."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)
