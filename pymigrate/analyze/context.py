"""Per-module state shared by the rules: the tree, positions in characters, and the findings."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from pymigrate.analyze.model import Finding
from pymigrate.analyze.rules import RULES


class Locator:
    """Turns CPython's byte-based column offsets into 1-based character columns."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._lines: list[str] | None = None

    def line_text(self, line: int) -> str:
        if self._lines is None:
            self._lines = self._source.splitlines()
        if 1 <= line <= len(self._lines):
            return self._lines[line - 1]
        return ""

    def column(self, line: int, col_offset: int) -> int:
        text = self.line_text(line)
        if text.isascii():
            return col_offset + 1
        return len(text.encode("utf-8")[:col_offset].decode("utf-8", "replace")) + 1


@dataclass
class ModuleContext:
    path: str
    tree: ast.Module
    locator: Locator
    findings: list[Finding] = field(default_factory=list)

    def finding(self, code: str, line: int, col_offset: int, **fields: Any) -> Finding:
        """A finding at a byte offset (as ast gives it); not yet recorded."""
        rule = RULES[code]
        return Finding(
            code=code,
            path=self.path,
            line=line,
            column=self.locator.column(line, col_offset),
            message=rule.message.format(**fields),
            severity=rule.severity,
        )

    def at(self, code: str, node: ast.AST, **fields: Any) -> Finding:
        return self.finding(code, getattr(node, "lineno", 1), getattr(node, "col_offset", 0), **fields)

    def add(self, finding: Finding) -> Finding:
        self.findings.append(finding)
        return finding

    def name_column(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> int:
        """Byte offset of the name in `def name` / `class name` (ast does not record it)."""
        text = self.locator.line_text(node.lineno)
        raw = text.encode("utf-8")
        start = node.col_offset
        idx = raw.find(node.name.encode("utf-8"), start)
        return idx if idx >= 0 else start
