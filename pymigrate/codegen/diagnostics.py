"""Compiler diagnostics: where, what is wrong, and what to write instead."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Diagnostic:
    path: str
    line: int
    col: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: error: {self.message}"


class CompileError(Exception):
    """Raised by compile_module when the checker rejects the module."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)
