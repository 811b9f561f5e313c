"""Superset source -> plain Python AST + marks, with CPython's own parser doing the parsing.

The token layer (tokens.py) rewrites the superset additions into Python; `ast.parse` parses
the result; one walk over the tree then maps every position back to the original source,
renames placeholder identifiers back to their backticked names and checks what only the tree
can tell (a `var` that does not start a declaration, a keyword reached through an f-string).
A source with no superset token at all goes straight to `ast.parse`, so plain Python costs
what CPython costs.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator, NoReturn

from pymigrate.superset import errors
from pymigrate.superset.errors import Problem
from pymigrate.superset.keywords import SUPERSET_KEYWORDS
from pymigrate.superset.marks import KIND_CONVENTIONS, Mark, MarkKind
from pymigrate.superset.positions import LineMap, byte_to_char, char_to_byte
from pymigrate.superset.sourcefile import TooDeeplyNested, gc_paused
from pymigrate.superset.tokens import SUPERSET_HINT, Scan, scan, split_lines

_FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef

#: Fields that hold identifiers, per node type (dotted ones are split on ".").
_IDENTIFIER_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {
    ast.Name: ("id",),
    ast.arg: ("arg",),
    ast.Attribute: ("attr",),
    ast.keyword: ("arg",),
    ast.alias: ("name", "asname"),
    ast.FunctionDef: ("name",),
    ast.AsyncFunctionDef: ("name",),
    ast.ClassDef: ("name",),
    ast.ImportFrom: ("module",),
    ast.Global: ("names",),
    ast.Nonlocal: ("names",),
    ast.ExceptHandler: ("name",),
    ast.MatchAs: ("name",),
    ast.MatchStar: ("name",),
    ast.MatchMapping: ("rest",),
    ast.MatchClass: ("kwd_attrs",),
}

_CONVENTION_KINDS = frozenset(KIND_CONVENTIONS)


@dataclass
class ParseResult:
    """A parsed superset module: a plain Python tree plus the marks it cannot hold.

    Node positions point into `source` (the original superset text). The queries below answer
    from the marks and node positions, so they keep working on copies of the tree.
    """

    tree: ast.Module
    marks: tuple[Mark, ...]
    source: str
    filename: str
    _index: dict[MarkKind, list[Mark]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def _of(self, kind: MarkKind) -> list[Mark]:
        if not self._index and self.marks:
            for mark in self.marks:
                self._index.setdefault(mark.kind, []).append(mark)
        return self._index.get(kind, [])

    @cached_property
    def _starts(self) -> dict[MarkKind, frozenset[tuple[int, int]]]:
        return {kind: frozenset(m.start for m in self._of(kind)) for kind in MarkKind}

    @cached_property
    def _tick_ends(self) -> frozenset[tuple[int, int]]:
        return frozenset(m.end for m in self._of(MarkKind.BACKTICK))

    @cached_property
    def _lines(self) -> list[str]:
        return split_lines(self.source)

    def is_fn(self, node: ast.AST) -> bool:
        """Was this function written with `fn`?"""
        if isinstance(node, ast.FunctionDef):
            return _start(node) in self._starts[MarkKind.FN]
        if isinstance(node, ast.AsyncFunctionDef) and self._starts[MarkKind.FN]:
            return self._after_async(node) in self._starts[MarkKind.FN]
        return False

    def _after_async(self, node: ast.AsyncFunctionDef) -> tuple[int, int] | None:
        """Position of the keyword after `async` (an async function starts at `async`)."""
        if not 0 < node.lineno <= len(self._lines):
            return None
        text = self._lines[node.lineno - 1]
        match = _ASYNC.match(text, byte_to_char(text, node.col_offset))
        return None if match is None else (node.lineno, char_to_byte(text, match.end()))

    def is_struct(self, node: ast.AST) -> bool:
        """Was this class written with `struct`?"""
        return isinstance(node, ast.ClassDef) and _start(node) in self._starts[MarkKind.STRUCT]

    def is_var_decl(self, node: ast.AST) -> bool:
        """Is this statement a `var` declaration (a local or a struct field)?"""
        return isinstance(node, (ast.Assign, ast.AnnAssign)) and (
            _start(node) in self._starts[MarkKind.VAR_DECL]
        )

    @cached_property
    def _by_start(self) -> dict[MarkKind, tuple[list[tuple[int, int]], list[Mark]]]:
        """Each kind's marks sorted by position, to find those in a range by bisection."""
        out: dict[MarkKind, tuple[list[tuple[int, int]], list[Mark]]] = {}
        for kind in MarkKind:
            ordered = sorted(self._of(kind), key=lambda m: m.start)
            out[kind] = ([m.start for m in ordered], ordered)
        return out

    def _within(self, kind: MarkKind, lo: tuple[int, int], hi: tuple[int, int]) -> list[Mark]:
        """The marks of `kind` starting in [lo, hi): a query per node stays logarithmic in the module."""
        starts, ordered = self._by_start[kind]
        return ordered[bisect_left(starts, lo) : bisect_left(starts, hi)]

    def _header(self, func: ast.AST, kind: MarkKind) -> list[Mark]:
        """The marks of `kind` between a function's keyword and its body: its signature's."""
        assert isinstance(func, _FunctionNode)
        body_start = _start(func.body[0]) if func.body else (func.end_lineno or 0, func.end_col_offset or 0)
        return self._within(kind, _start(func), body_start)

    def convention(self, func: ast.AST, arg: ast.arg) -> str:
        """"read" (the default), "mut", "var" or "out" for a parameter of `func`."""
        for kind in _CONVENTION_KINDS:
            if any(mark.name == arg.arg for mark in self._header(func, kind)):
                return KIND_CONVENTIONS[kind]
        return "read"

    def raises(self, func: ast.AST) -> bool:
        """Was `raises` written after this function's parameter list?"""
        return bool(self._header(func, MarkKind.RAISES))

    def is_backticked(self, node: ast.AST) -> bool:
        """Was this node's name written in backticks?

        Names, parameters and keyword arguments start with their name; an attribute ends with
        it; an alias may hold several dotted parts (any of them counts); a function or class
        name follows its keyword.
        """
        ticks = self._of(MarkKind.BACKTICK)
        if not ticks:
            return False
        if isinstance(node, (ast.Name, ast.arg, ast.keyword)):
            return _start(node) in self._starts[MarkKind.BACKTICK]
        if isinstance(node, ast.Attribute):
            return (node.end_lineno or 0, node.end_col_offset or 0) in self._tick_ends
        if isinstance(node, ast.alias):
            end = (node.end_lineno or 0, node.end_col_offset or 0)
            return any(m.end <= end for m in self._within(MarkKind.BACKTICK, _start(node), end))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            pos = self._name_after_keyword(node)
            return pos is not None and pos in self._starts[MarkKind.BACKTICK]
        return False

    def _name_after_keyword(self, node: ast.stmt) -> tuple[int, int] | None:
        """Position of the name token after `def`/`fn`/`class`/`struct` (same line only)."""
        line_no = node.lineno
        if not 0 < line_no <= len(self._lines):
            return None
        text = self._lines[line_no - 1]
        match = _HEADER_NAME.match(text, byte_to_char(text, node.col_offset))
        if match is None:
            return None
        return (line_no, char_to_byte(text, match.start(1)))


_ASYNC = re.compile(r"async[ \t\f]+")
_HEADER_NAME = re.compile(r"(?:async[ \t\f]+)?(?:def|fn|class|struct)[ \t\f]+(\S)")


def _start(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def parse(source: str, filename: str = "<unknown>") -> ParseResult:
    """Parse superset (or plain Python) source; raises SyntaxError with exact positions.

    Nesting too deep for CPython's parser is a SyntaxError too (TooDeeplyNested), never a
    RecursionError.
    """
    try:
        with gc_paused():
            return _parse(source, filename)
    except (RecursionError, MemoryError):
        raise TooDeeplyNested(filename) from None


def _parse(source: str, filename: str) -> ParseResult:
    if SUPERSET_HINT.search(source) is None:
        try:
            tree = ast.parse(source, filename)
        except SyntaxError:
            pass  # the full path below gives the superset's own advice where it has any
        else:
            return ParseResult(tree, (), source, filename)
    return _Parser(source, filename).run()


class _Parser:
    def __init__(self, source: str, filename: str) -> None:
        self.source = source
        self.filename = filename
        self.scan: Scan = scan(source)
        self.orig_lines = split_lines(source)
        self.maps: dict[int, LineMap] = {}
        if self.scan.edits:
            new_lines = split_lines(self.scan.text)
            for line, edits in self.scan.edits.items():
                self.maps[line] = LineMap(self.orig_lines[line - 1], new_lines[line - 1], edits)

    def _byte_pos(self, index: int) -> tuple[int, int]:
        line, col = self.scan.line_col(index)
        return line, char_to_byte(self.orig_lines[line - 1], col)

    def _line_text(self, line: int) -> str | None:
        if 0 < line <= len(self.orig_lines):
            return self.orig_lines[line - 1] + "\n"
        return None

    def _raise(self, problem: Problem) -> NoReturn:
        raise errors.to_syntax_error(problem, self.filename, self._line_text(problem.line))

    def run(self) -> ParseResult:
        sc = self.scan
        try:
            tree = ast.parse(sc.text, self.filename)
        except SyntaxError as exc:
            self._report_python_error(exc)
        problems = sc.problems
        if sc.text is not self.source or sc.fstring_words:
            # Something was rewritten, or may hide in an f-string: walk the tree. Otherwise the
            # superset words were all in comments and strings and the tree is CPython's as is.
            checker = _TreeFixer(self)
            checker.visit_all(tree)
            problems = problems + checker.problems
        if problems:
            self._raise(min(problems, key=lambda p: p.start))
        return ParseResult(tree, self._marks(), self.source, self.filename)

    def _marks(self) -> tuple[Mark, ...]:
        result = []
        for raw in self.scan.marks:
            line, col = self._byte_pos(raw.start)
            end_line, end_col = self._byte_pos(raw.end)
            result.append(Mark(raw.kind, line, col, end_line, end_col, raw.name))
        return tuple(result)

    def _report_python_error(self, exc: SyntaxError) -> NoReturn:
        """Re-raise CPython's error at its original place, unless one of ours comes first."""
        if exc.lineno is None or exc.lineno <= 0:
            index = self.source.find("\0")
            if index >= 0:
                line, col = self.scan.line_col(index)
                self._raise(Problem(line, col, line, col + 1, errors.NULL_BYTE))
            raise SyntaxError(exc.msg, (self.filename, exc.lineno, exc.offset, exc.text)) from None
        line = exc.lineno
        col = (exc.offset or 1) - 1
        end_line = exc.end_lineno if exc.end_lineno is not None else line
        end_offset = exc.end_offset
        if line in self.maps and col >= 0:
            col = self.maps[line].char(col)
        if end_offset is not None and end_offset > 0 and end_line in self.maps:
            end_offset = self.maps[end_line].char(end_offset - 1) + 1
        hint = None
        for candidate in self.scan.hints:
            if candidate.line == line and candidate.col <= col:
                hint = candidate
        first = hint.start if hint is not None else (line, col)
        ours = [p for p in self.scan.problems if p.start < first]
        if ours:
            self._raise(min(ours, key=lambda p: p.start))
        if hint is not None:
            self._raise(hint)
        text = exc.text
        if text is not None and 0 < line <= len(self.orig_lines):
            text = self.orig_lines[line - 1] + ("\n" if text.endswith("\n") else "")
        raise type(exc)(
            exc.msg, (self.filename, line, col + 1, text, end_line, end_offset)
        ) from None


class _TreeFixer:
    """One walk: positions back to the original, placeholders back to names, tree-level checks."""

    def __init__(self, parser: _Parser) -> None:
        self.parser = parser
        sc = parser.scan
        self.maps = parser.maps
        self.placeholders = sc.placeholders
        self.prefix = sc.placeholder_prefix
        self.has_placeholders = bool(sc.placeholders)
        self.var_decls = {parser._byte_pos(name): parser._byte_pos(var) for name, var in sc.var_decls.items()}
        self.conventions = {parser._byte_pos(name): parser._byte_pos(kw) for name, kw in sc.conventions.items()}
        self.problems: list[Problem] = []

    def visit_all(self, tree: ast.Module) -> None:
        for node, in_fstring in _walk(tree):
            if self.maps:
                self._remap(node)
            fields = _IDENTIFIER_FIELDS.get(type(node))
            if fields is not None:
                self._names(node, fields, in_fstring)
            if isinstance(node, ast.stmt) and self.var_decls:
                self._var_decl(node)
            if self.conventions and isinstance(node, ast.arg):
                self.conventions.pop(_start(node), None)
        for name_pos in self.var_decls:
            self._problem_at(self.var_decls[name_pos], 3, errors.VAR_NOT_STATEMENT)
        for kw_pos in self.conventions.values():
            word = self.parser.source[self._index(kw_pos) : self._index(kw_pos) + 3]
            self._problem_at(kw_pos, 3, errors.convention_outside_fn(word))

    def _index(self, pos: tuple[int, int]) -> int:
        line, col = pos
        text = self.parser.orig_lines[line - 1]
        return self.parser.scan.line_starts[line - 1] + byte_to_char(text, col)

    def _problem_at(self, pos: tuple[int, int], length: int, message: str) -> None:
        line, col = pos
        ccol = byte_to_char(self.parser.orig_lines[line - 1], col)
        self.problems.append(Problem(line, ccol, line, ccol + length, message))

    def _remap(self, node: ast.AST) -> None:
        lineno = getattr(node, "lineno", None)
        if lineno is None:
            return
        lm = self.maps.get(lineno)
        if lm is not None:
            node.col_offset = lm.byte(node.col_offset)  # type: ignore[attr-defined]
        end_lineno = getattr(node, "end_lineno", None)
        if end_lineno is not None:
            lm = self.maps.get(end_lineno)
            end_col = getattr(node, "end_col_offset", None)
            if lm is not None and end_col is not None:
                node.end_col_offset = lm.byte(end_col)  # type: ignore[attr-defined]

    def _names(self, node: ast.AST, fields: tuple[str, ...], in_fstring: bool) -> None:
        for name in fields:
            value = getattr(node, name)
            if value is None:
                continue
            if isinstance(value, list):
                setattr(node, name, [self._name(node, v, in_fstring) for v in value])
            else:
                setattr(node, name, self._name(node, value, in_fstring))

    def _name(self, node: ast.AST, value: str, in_fstring: bool) -> str:
        parts = value.split(".")
        for i, part in enumerate(parts):
            if self.has_placeholders and part.startswith(self.prefix) and part in self.placeholders:
                parts[i] = self.placeholders[part]
            elif part in SUPERSET_KEYWORDS:
                self._keyword_name(node, part, in_fstring)
        return ".".join(parts)

    def _keyword_name(self, node: ast.AST, word: str, in_fstring: bool) -> None:
        """A superset keyword used as a name that the token layer could not see (f-strings)."""
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        if isinstance(node, ast.Attribute) and node.end_lineno is not None and node.end_col_offset is not None:
            line, col = node.end_lineno, node.end_col_offset - len(word)
        message = errors.fstring_keyword(word) if in_fstring else errors.keyword_as_name(word)
        self._problem_at((line, col), len(word), message)

    def _var_decl(self, node: ast.stmt) -> None:
        var_pos = self.var_decls.pop(_start(node), None)
        if var_pos is None:
            return
        if isinstance(node, ast.Assign):
            ok = len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            message = errors.VAR_NOT_ONE_NAME
        elif isinstance(node, ast.AnnAssign):
            ok = isinstance(node.target, ast.Name) and node.simple == 1
            message = errors.VAR_NOT_ONE_NAME
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Name):
            ok, message = False, errors.VAR_WITHOUT_TYPE_OR_VALUE
        else:
            ok, message = False, errors.VAR_NOT_STATEMENT
        if not ok:
            self._problem_at(var_pos, 3, message)
        node.lineno, node.col_offset = var_pos


def _walk(tree: ast.AST) -> Iterator[tuple[ast.AST, bool]]:
    """Every node, with whether it sits inside an f-string."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, in_fstring = stack.pop()
        yield node, in_fstring
        inner = in_fstring or isinstance(node, ast.JoinedStr)
        for child in ast.iter_child_nodes(node):
            stack.append((child, inner))
