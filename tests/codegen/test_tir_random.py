"""Random object-tier programs against their Python reading.

A seeded generator writes fns over `object` values (assignments and augmented assignments, if/else,
bounded while and for loops with break/continue/else, raise, returns; expressions of operators,
comparisons and chains, and/or/not, conditional expressions, subscripts, displays, f-strings and
calls of builtins and methods, list comprehensions, on parameters, constants and locals that may be unbound;
try/except/else/finally with `as` names and bare `raise`; lambdas, generator expressions, `*`/`**`
unpacking in calls and displays, nested defs with defaults that read and `nonlocal`-write the fn's
variables, imports); each is
compiled and called with pairs of edge values, and every outcome (result, exception class and
message, traceback line, arguments afterwards) must be the def's. The bounded run is part of the
test suite; PYMIGRATE_TIR_PROGRAMS=2000 (and PYMIGRATE_TIR_SEED) hunt longer (`make fuzz-objects`).
"""

from __future__ import annotations

import copy
import itertools
import os
import random
import re
import types

import pytest
from codegen_support import compiled, plain_python
from test_tir_object_tier import cold, run

PROGRAMS = int(os.environ.get("PYMIGRATE_TIR_PROGRAMS", "40"))
SEED = int(os.environ.get("PYMIGRATE_TIR_SEED", "18"))
LOCALS = ("x", "y", "z")
CONSTANTS = ("0", "1", "-2", "2 ** 65", "1.5", "-0.0", "'s'", "''", "None", "True", "(1, 't')", "[1, 2]", "b'q'")
BINARY = ("+", "-", "*", "//", "%", "&", "|", "^", "/")
COMPARE = ("<", "<=", "==", "!=", ">", "is", "is not", "in", "not in")
VALUES = [0, 1, -3, 2**64, 2.5, float("nan"), "ab", "", None, False, (1, 2), [3, "c"], {"k": 1}, b"xy"]


class Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.loops = 0
        self.defs = 0

    def name(self) -> str:
        return self.rng.choice(("a", "b", *LOCALS))

    def expr(self, depth: int = 0) -> str:  # noqa: C901 - one case per form
        r = self.rng
        if depth >= 3 or r.random() < 0.3:
            return self.name() if r.random() < 0.6 else r.choice(CONSTANTS)
        e = lambda: self.expr(depth + 1)  # noqa: E731 - a short local helper
        kind = r.randrange(14)  # 11: a subscript, or half the time a list comprehension
        if kind in (12, 13):
            return self.new_forms(depth, unpacking=kind == 13)
        if kind == 0:
            return f"({e()} {r.choice(BINARY)} {e()})"
        if kind == 1:
            ops = [r.choice(COMPARE) for _ in range(r.randint(1, 3))]
            parts = [e()]
            for op in ops:
                parts += [op, e()]
            return "(" + " ".join(parts) + ")"
        if kind == 2:
            return f"({e()} {r.choice(('and', 'or'))} {e()})"
        if kind == 3:
            return f"(not {e()})" if r.random() < 0.5 else f"(-{e()})"
        if kind == 4:
            return f"({e()} if {e()} else {e()})"
        if kind == 5:
            return f"{self.name()}[{r.choice(('0', '-1', '1:', ':1', '::-1'))}]"
        if kind == 6:
            return f"({e()}, {e()})" if r.random() < 0.5 else f"[{e()}, {e()}]"
        if kind == 7:
            return f"{r.choice(('len', 'str', 'repr', 'bool', 'abs', 'type'))}({e()})"
        if kind == 8:
            parts = [x if '"' not in x else self.name() for x in (e(), e())]  # no nested quotes before 3.12
            return f'f"{{({parts[0]})!r}}-{{({parts[1]})}}"'
        if kind == 9:
            return f"{self.name()}.{r.choice(('count', 'index'))}({e()})"
        if kind == 10:
            return f"{{{e()}: {e()}}}" if r.random() < 0.5 else f"{{{e()}}}"
        if kind == 11 and r.random() < 0.5:
            v = r.choice(("v", *LOCALS))
            elt = re.sub(r"\ba\b", v, self.expr(depth + 1)) if r.random() < 0.5 else v
            return f"[{elt} for {v} in {e()} if {e()}]"
        return f"{self.name()}[{e()}]"

    def new_forms(self, depth: int, unpacking: bool) -> str:
        """A lambda called at once or kept in a list (late binding), or a generator expression consumed;
        or `*` and `**` in calls and displays."""
        r = self.rng
        e = lambda: self.expr(depth + 1)  # noqa: E731 - a short local helper
        v = r.choice(("v", *LOCALS))
        forms = [
            lambda: f"[*{e()}, {e()}, *{e()}]", lambda: f"(*{e()},)", lambda: f"{{**{e()}, 'k': {e()}}}",
            lambda: f"{r.choice(('max', 'min', 'sorted', 'print'))}(*{e()}, **{e()})",
            lambda: f"{r.choice(('str', 'tuple', 'dict', 'len'))}(*{e()})",
        ] if unpacking else [
            lambda: f"(lambda: {e()})()", lambda: f"(lambda q={e()}, *, w={e()}: (q, w, {e()}))()",
            lambda: f"[f() for f in [lambda: {v} for {v} in {e()}]]",
            lambda: f"{r.choice(('list', 'tuple', 'sum', 'any'))}({v} for {v} in {e()} if {e()})",
        ]
        return r.choice(forms)()

    def nested_def(self, indent: int) -> list[str]:
        """A nested def with defaults, reading the fn's variables and writing a parameter through
        `nonlocal`, called at once or later."""
        r = self.rng
        pad = "    " * indent
        self.defs += 1
        h, p = f"h{self.defs}", r.choice(("a", "b"))
        body = [f"{pad}def {h}(q={self.expr(1)}):"]
        if r.random() < 0.5:
            body += [f"{pad}    nonlocal {p}", f"{pad}    {p} = ({self.expr(1)}, q)"]
        body.append(f"{pad}    return ({self.expr(1)}, q)")
        return [*body, f"{pad}{r.choice(LOCALS)} = {h}() if {self.expr(1)} else {h}"]

    def block(self, indent: int, depth: int) -> list[str]:
        out = []
        for _ in range(self.rng.randint(1, 3)):
            out += self.stmt(indent, depth)
        return out

    def stmt(self, indent: int, depth: int) -> list[str]:
        r = self.rng
        pad = "    " * indent
        kind = r.randrange(13) if depth < 2 else r.randrange(4)
        if kind == 10:
            return self.try_stmt(indent, depth)
        if kind == 11:
            return self.nested_def(indent)
        if kind == 12:
            module, name = r.choice((("os", "sep"), ("math", "pi"), ("collections", "deque"), ("os", "no_such")))
            return [f"{pad}from {module} import {name} as {r.choice(LOCALS)}" if r.random() < 0.5
                    else f"{pad}import {module} as {r.choice(LOCALS)}"]
        if kind in (0, 1):
            return [f"{pad}{r.choice(LOCALS)} = {self.expr()}"]
        if kind == 2:
            return [f"{pad}{r.choice(LOCALS)} {r.choice(BINARY)}= {self.expr()}"]
        if kind == 3:
            return [f"{pad}return {self.expr()}"] if r.random() < 0.3 else [f"{pad}{r.choice(LOCALS)}, {r.choice(LOCALS)} = {self.expr()}"]
        if kind in (4, 5):
            lines = [f"{pad}if {self.expr()}:", *self.block(indent + 1, depth + 1)]
            if r.random() < 0.5:
                lines += [f"{pad}else:", *self.block(indent + 1, depth + 1)]
            return lines
        if kind == 6:
            self.loops += 1
            k = f"k{self.loops}"
            body = self.block(indent + 1, depth + 1)
            if r.random() < 0.3:
                body.append(f"{pad}    if {self.expr()}:\n{pad}        {r.choice(('break', 'continue'))}")
            lines = [f"{pad}{k} = 0", f"{pad}while {k} < 3:", f"{pad}    {k} += 1", *body]
            return lines + ([f"{pad}else:", *self.block(indent + 1, depth + 1)] if r.random() < 0.3 else [])
        if kind == 7:
            body = self.block(indent + 1, depth + 1)
            if r.random() < 0.3:
                body.append(f"{pad}    if {self.expr()}:\n{pad}        {r.choice(('break', 'continue'))}")
            lines = [f"{pad}for {r.choice(LOCALS)} in {self.name()}:", *body]
            return lines + ([f"{pad}else:", *self.block(indent + 1, depth + 1)] if r.random() < 0.3 else [])
        if kind == 8:
            return [f"{pad}raise ValueError({self.expr()})"] if r.random() < 0.2 else [f"{pad}{self.name()}[0] = {self.expr()}"]
        return [f"{pad}assert {self.expr()}, {self.expr()}"]

    def try_stmt(self, indent: int, depth: int) -> list[str]:
        """try with one or two except clauses (a class, a tuple, Exception or bare; maybe `as` one of the
        locals, unbound after the handler; maybe a bare `raise`), maybe else, maybe finally."""
        r = self.rng
        pad = "    " * indent
        lines = [f"{pad}try:", *self.block(indent + 1, depth + 1)]
        clauses = r.choice((["ValueError"], ["TypeError", "(KeyError, IndexError)"], ["Exception"], [""], []))
        for kind in clauses:
            name = f" as {r.choice(LOCALS)}" if kind and r.random() < 0.5 else ""
            head = f"except {kind}{name}:" if kind else "except:"
            body = self.block(indent + 1, depth + 1)
            if r.random() < 0.2:
                body.append(f"{pad}    if {self.expr()}:\n{pad}        raise")
            lines += [f"{pad}{head}", *body]
        if clauses and r.random() < 0.3:
            lines += [f"{pad}else:", *self.block(indent + 1, depth + 1)]
        if not clauses or r.random() < 0.4:
            lines += [f"{pad}finally:", *self.block(indent + 1, depth + 1)]
        return lines

    def program(self, name: str) -> str:
        body = self.block(1, 0) + [f"    return ({', '.join(LOCALS)})" if self.rng.random() < 0.5 else "    return a"]
        return f"fn {name}(a: object, b: object) -> object:\n" + "\n".join(body) + "\n"


def _programs() -> list[str]:
    rng = random.Random(SEED)
    return [Gen(rng).program(f"p{i}") for i in range(PROGRAMS)]




@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # `x is 1` and such: drawn on purpose
@pytest.mark.parametrize("chunk", range(max(1, PROGRAMS // 10)))
def test_random_programs_agree(chunk: int) -> None:
    sources = _programs()[chunk * 10:(chunk + 1) * 10]
    source = "\n".join(sources)
    mod = compiled(source, f"rand{chunk}.pys")
    py = types.ModuleType(f"rand{chunk}_plain")
    exec(compile(plain_python(source), f"rand{chunk}.pys", "exec"), py.__dict__)
    for text in sources:
        name = text.split("(")[0][3:]
        for a, b in itertools.product(VALUES, repeat=2):
            got = run(getattr(mod, name), copy.deepcopy((a, b)))
            want = run(cold(getattr(py, name)), copy.deepcopy((a, b)))
            assert got == want, (text, a, b)
