"""Compiler diagnostics: where, what is wrong, and what to write instead.

Each diagnostic carries the analyzer's hint code for its reason (docs/rules/<code>.md): the analyzer
reports the checker's diagnostics under these codes, so a hint and the compiler's verdict are one.
"""

from __future__ import annotations

from dataclasses import dataclass

TYPE_ERROR = "PM318"  # the checker's most common reason: a type does not work out as a fn's rules say

# builtins that change meaning in a fn, whatever its tier: code built at run time (PM301), a namespace
# as a dict (PM302), attributes named at run time (PM303); both checkers report them under these codes
DYNAMIC = {"eval": "PM301", "exec": "PM301", "globals": "PM302", "locals": "PM302", "vars": "PM302",
           "getattr": "PM303", "setattr": "PM303", "delattr": "PM303", "hasattr": "PM303"}
DYNAMIC_WHY = {"PM301": "runs code built at run time; a `fn` cannot",
               "PM302": "exposes a namespace as a dict; a `fn` has none",
               "PM303": "with a computed attribute name; a `fn` needs names known at compile time"}


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
