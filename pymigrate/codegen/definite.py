"""Definite assignment: which reads of a fn's locals may run before the local has a value.

CPython raises `UnboundLocalError` for such a read; the lowering gives each local read here an
"assigned" flag and raises the same exception natively on the path where it is still unset (where
every path assigns first the read is not listed, so no flag exists; LLVM folds the rest away).

A forward analysis over the fn's statements: the state is the set of locals assigned on every path
to this point, or None where no path arrives (after return, raise, break, continue). Branches meet
by intersection; a loop body may not run, so a loop leaves the state it found (a `while True`
leaves the states of its breaks). `var x: T` without a value binds nothing, as `x: T` in Python.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

State = frozenset[str] | None


def _meet(a: State, b: State) -> State:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


@dataclass
class _Analysis:
    locals: frozenset[str]
    unbound: set[int] = field(default_factory=set)
    breaks: list[list[State]] = field(default_factory=list)

    def reads(self, node: ast.AST | None, state: State) -> None:
        """Record the local reads in node that state does not cover."""
        if node is None or state is None:
            return
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                if sub.id in self.locals and sub.id not in state:
                    self.unbound.add(id(sub))

    def target_reads(self, target: ast.expr, state: State) -> None:
        """The reads an assignment target makes (`xs[i] = v` reads xs and i)."""
        if isinstance(target, ast.Tuple):
            for t in target.elts:
                self.target_reads(t, state)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            self.reads(target, state)

    @staticmethod
    def bind(target: ast.expr, state: State) -> State:
        if state is None:
            return None
        names = {n.id for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        return state | names

    def block(self, body: list[ast.stmt], state: State) -> State:
        for s in body:
            state = self.stmt(s, state)
        return state

    def stmt(self, s: ast.stmt, state: State) -> State:
        if isinstance(s, ast.Assign):
            self.reads(s.value, state)
            for t in s.targets:
                self.target_reads(t, state)
                state = self.bind(t, state)
            return state
        if isinstance(s, ast.AnnAssign):
            if s.value is None:
                return state  # `var x: T` declares; Python's `x: T` binds nothing
            self.reads(s.value, state)
            self.target_reads(s.target, state)
            return self.bind(s.target, state)
        if isinstance(s, ast.AugAssign):
            if isinstance(s.target, ast.Name):
                if state is not None and s.target.id in self.locals and s.target.id not in state:
                    self.unbound.add(id(s.target))  # `x += v` reads x first
            else:
                self.target_reads(s.target, state)
            self.reads(s.value, state)
            return self.bind(s.target, state)
        if isinstance(s, ast.If):
            self.reads(s.test, state)
            return _meet(self.block(s.body, state), self.block(s.orelse, state))
        if isinstance(s, ast.While):
            self.reads(s.test, state)
            self.breaks.append([])
            self.block(s.body, state)
            breaks = self.breaks.pop()
            forever = isinstance(s.test, ast.Constant) and bool(s.test.value)
            if not forever:
                return state
            out: State = None
            for b in breaks:
                out = _meet(out, b)
            return out
        if isinstance(s, ast.For):
            self.reads(s.iter, state)
            self.breaks.append([])
            self.block(s.body, self.bind(s.target, state))
            self.breaks.pop()
            return state
        if isinstance(s, ast.Break):
            if self.breaks:
                self.breaks[-1].append(state)
            return None
        if isinstance(s, ast.Continue):
            return None
        if isinstance(s, (ast.Return, ast.Raise)):
            for child in ast.iter_child_nodes(s):
                self.reads(child, state)
            return None
        for child in ast.iter_child_nodes(s):  # expression statements, assert, pass
            self.reads(child, state)
        return state


def unbound_reads(func: ast.FunctionDef, params: set[str], locals_: set[str]) -> set[int]:
    """Ids of the Name nodes reading a local (not a parameter) that may have no value yet."""
    analysis = _Analysis(frozenset(locals_ - params))
    analysis.block(func.body, frozenset(params))
    return analysis.unbound
