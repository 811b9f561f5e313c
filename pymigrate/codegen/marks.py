"""What the compiler needs to know about superset marks, as a protocol.

`pymigrate.superset.ParseResult` satisfies it; `probe` builds its own to ask
"would this plain def compile as a fn?" without writing superset text.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Protocol


class MarkedModule(Protocol):
    tree: ast.Module
    filename: str

    def is_fn(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool: ...
    def is_struct(self, node: ast.ClassDef) -> bool: ...
    def is_var_decl(self, node: ast.stmt) -> bool: ...
    def convention(self, func: ast.FunctionDef, arg: ast.arg) -> str: ...
    def raises(self, func: ast.FunctionDef) -> bool: ...


@dataclass
class SyntheticMarks:
    """Marks given as node sets (used by the probe on plain Python)."""

    tree: ast.Module
    filename: str
    fns: set[int] = field(default_factory=set)
    structs: set[int] = field(default_factory=set)
    var_decls: set[int] = field(default_factory=set)
    conventions: dict[int, str] = field(default_factory=dict)
    implicit_decls: bool = True

    def is_fn(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        return id(node) in self.fns

    def is_struct(self, node: ast.ClassDef) -> bool:
        return id(node) in self.structs

    def is_var_decl(self, node: ast.stmt) -> bool:
        return id(node) in self.var_decls

    def convention(self, func: ast.FunctionDef, arg: ast.arg) -> str:
        return self.conventions.get(id(arg), "read")

    def raises(self, func: ast.FunctionDef) -> bool:
        return False
