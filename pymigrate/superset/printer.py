"""Tree + marks -> superset source, in the normalized layout of `ast.unparse`.

The superset additions are put into a copy of the tree as placeholder identifiers (a `fn`'s
name, a struct's name, a declared variable, a parameter with a convention, a name that needs
backticks, and an annotation carrying `raises`); `ast.unparse` prints the Python, and one
substitution turns each placeholder into its superset spelling. The output parses back to the
same tree and the same marks.
"""

from __future__ import annotations

import ast
import copy
import re
from typing import Callable

from pymigrate.superset.keywords import needs_backticks
from pymigrate.superset.marks import MarkKind
from pymigrate.superset.parser import ParseResult

_Func = ast.FunctionDef | ast.AsyncFunctionDef


def _prefix(result: ParseResult) -> str:
    """A placeholder prefix that occurs nowhere in the source or in any string constant."""
    texts = [result.source]
    for node in ast.walk(result.tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            value = node.value
            texts.append(value if isinstance(value, str) else value.decode("latin-1"))
    prefix = "_pys_p"
    while any(prefix in text for text in texts):
        prefix = "_" + prefix
    return prefix


class _Printer:
    def __init__(self, result: ParseResult) -> None:
        self.result = result
        self.prefix = _prefix(result)
        self.texts: dict[str, str] = {}
        ticks = result.marks and [m for m in result.marks if m.kind is MarkKind.BACKTICK]
        self.ticks = ticks or []
        self.returns: dict[str, ast.expr | None] = {}  # raises placeholder -> the return annotation
        self.done: set[int] = set()  # nodes whose identifier a statement-level plan already took

    def placeholder(self, kind: str, text: str) -> str:
        ph = f"{self.prefix}{kind}{len(self.texts)}_"
        self.texts[ph] = text
        return ph

    def ident(self, name: str, backticked: bool = False) -> str:
        return f"`{name}`" if backticked or needs_backticks(name) else name

    def _ticked_in_span(self, node: ast.AST, name: str) -> bool:
        start = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        end = (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)
        return any(m.name == name and start <= m.start and m.end <= end for m in self.ticks)

    def name(self, name: str, backticked: bool) -> str:
        """The identifier itself, or a placeholder when it must be printed in backticks."""
        if backticked or needs_backticks(name):
            return self.placeholder("n", f"`{name}`")
        return name

    def dotted(self, node: ast.AST, value: str) -> str:
        parts = value.split(".")
        return ".".join(self.name(p, self._ticked_in_span(node, p)) for p in parts)

    def rewrite(self, tree: ast.Module) -> None:
        r = self.result
        # Decide everything on the untouched copy first: the queries compare names.
        plans: list[Callable[[], None]] = []
        for node in ast.walk(tree):
            plan = self._plan(node, r)
            if plan is not None:
                plans.append(plan)
        for plan in plans:
            plan()

    def _plan(self, node: ast.AST, r: ParseResult) -> Callable[[], None] | None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self._plan_function(node, r)
        if isinstance(node, ast.ClassDef):
            text = self.ident(node.name, r.is_backticked(node))
            if r.is_struct(node):
                ph = self.placeholder("c", text)
            else:
                ph = self.name(node.name, r.is_backticked(node))

            def set_class_name(node: ast.ClassDef = node, ph: str = ph) -> None:
                node.name = ph

            return set_class_name
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and r.is_var_decl(node):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name):
                self.done.add(id(target))
                ph = self.placeholder("n", "var " + self.ident(target.id, r.is_backticked(target)))

                def set_var(target: ast.Name = target, ph: str = ph) -> None:
                    target.id = ph

                return set_var
            return None
        if id(node) in self.done:
            return None
        if isinstance(node, ast.arg):
            new = self.name(node.arg, r.is_backticked(node))
            return None if new == node.arg else _setter(node, "arg", new)
        if isinstance(node, ast.Name):
            new = self.name(node.id, r.is_backticked(node))
            return None if new == node.id else _setter(node, "id", new)
        if isinstance(node, ast.Attribute):
            new = self.name(node.attr, r.is_backticked(node))
            return None if new == node.attr else _setter(node, "attr", new)
        if isinstance(node, ast.keyword) and node.arg is not None:
            new = self.name(node.arg, r.is_backticked(node))
            return None if new == node.arg else _setter(node, "arg", new)
        if isinstance(node, ast.alias):
            name = self.dotted(node, node.name)
            asname = None if node.asname is None else self.dotted(node, node.asname)

            def set_alias(node: ast.alias = node, name: str = name, asname: str | None = asname) -> None:
                node.name, node.asname = name, asname

            return set_alias
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            first_alias = min((_start(a) for a in node.names), default=(1 << 30, 0))
            parts = [
                self.name(p, any(m.name == p and _start(node) <= m.start < first_alias for m in self.ticks))
                for p in node.module.split(".")
            ]
            return _setter(node, "module", ".".join(parts))
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return _setter(node, "names", [self.name(n, self._ticked_in_span(node, n)) for n in node.names])
        if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name is not None:
            return _setter(node, "name", self.name(node.name, False))
        if isinstance(node, ast.MatchMapping) and node.rest is not None:
            return _setter(node, "rest", self.name(node.rest, False))
        if isinstance(node, ast.MatchClass):
            return _setter(node, "kwd_attrs", [self.name(n, False) for n in node.kwd_attrs])
        return None

    def _plan_function(self, node: _Func, r: ParseResult) -> Callable[[], None]:
        text = self.ident(node.name, r.is_backticked(node))
        name = self.placeholder("f", text) if r.is_fn(node) else self.name(node.name, r.is_backticked(node))
        a = node.args
        params: list[tuple[ast.arg, str]] = []
        for arg in (*a.posonlyargs, *a.args, a.vararg, *a.kwonlyargs, a.kwarg):
            if arg is None:
                continue
            convention = r.convention(node, arg)
            if convention != "read":
                self.done.add(id(arg))
                text = f"{convention} {self.ident(arg.arg, r.is_backticked(arg))}"
                params.append((arg, self.placeholder("n", text)))
        raises = r.raises(node)
        mark = self.placeholder("r", "") if raises else None

        def apply() -> None:
            node.name = name
            for arg, new in params:
                arg.arg = new
            if mark is not None:
                self.returns[mark] = node.returns
                node.returns = ast.Name(id=mark, ctx=ast.Load())

        return apply

    def substitute(self, text: str) -> str:
        p = re.escape(self.prefix)
        pattern = re.compile(rf"def ({p}f\d+_)|class ({p}c\d+_)|-> ({p}r\d+_)|({p}n\d+_)")

        def replace(m: re.Match[str]) -> str:
            if m.group(1):
                return "fn " + self.texts[m.group(1)]
            if m.group(2):
                return "struct " + self.texts[m.group(2)]
            if m.group(3):
                returns = self.returns[m.group(3)]
                return "raises" if returns is None else "raises -> " + self.substitute(ast.unparse(returns))
            return self.texts[m.group(4)]

        return pattern.sub(replace, text)


def _start(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _setter(node: ast.AST, field: str, value: object) -> Callable[[], None]:
    def apply() -> None:
        setattr(node, field, value)

    return apply


def unparse(result: ParseResult) -> str:
    """Superset source for a parse result (normalized layout, like `ast.unparse`)."""
    printer = _Printer(result)
    tree = copy.deepcopy(result.tree)
    printer.rewrite(tree)
    text = printer.substitute(ast.unparse(tree))
    return text + "\n" if text else text
