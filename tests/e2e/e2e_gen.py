"""Hypothesis strategies for small typed programs in the compilable subset, and their arguments.

Every expression is drawn together with two renderings: `plain` (the program given to
`pymigrate migrate`) and `checked` (the oracle, run by CPython). The oracle is the original: a
compiled fn gives CPython's results (beyond 64 bits, for other argument classes and for a complex
power the Python reading runs), so `_ck`, `_fpow` and `_door` leave every value as CPython makes it;
they stay as the places where a documented difference would go. Any difference between the oracle
and a compiled run is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

INT_MIN, INT_MAX = -(2**63), 2**63 - 1

ORACLE_PRELUDE = """
import math as _math


def _ck(v):
    return v


def _fpow(a, b):
    return a ** b


def _ai(xs, i, value):  # xs[i] += value(), in CPython's order
    cur = xs[i]
    xs[i] = _ck(cur + value())


def _door(fname, pname, v, kind):
    pass
"""

INT, FLOAT, BOOL, LINT, LFLOAT = "int", "float", "bool", "list[int]", "list[float]"
SCALARS = (INT, FLOAT, BOOL)

INT_EDGES = [0, 1, -1, 2, -2, 7, -7, 3037000499, 3037000500, -3037000500, 2**31, 2**62, -(2**62),
             INT_MAX, INT_MIN, INT_MAX - 1, INT_MIN + 1]
FLOAT_EDGES = [0.0, -0.0, 0.5, -1.5, 2.0, 1e308, -1e308, 5e-324, float("nan"), float("inf"), float("-inf"),
               9007199254740993.0, 1e16, 3.0]


@dataclass
class E:
    plain: str
    checked: str
    ty: str


def both(text: str, ty: str) -> E:
    return E(text, text, ty)


@dataclass
class Sig:
    name: str
    params: list[tuple[str, str]]
    ret: str


@dataclass
class Ctx:
    """What is in scope while drawing a function body."""

    sigs: list[Sig]
    vars: dict[str, str] = field(default_factory=dict)
    loop_vars: list[str] = field(default_factory=list)
    mutable: set[str] = field(default_factory=set)  # lists that may be appended to / assigned into
    iterating: set[str] = field(default_factory=set)  # lists being iterated: never grown
    counter: int = 0
    in_loop: bool = False

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def of(self, ty: str) -> list[str]:
        return [n for n, t in self.vars.items() if t == ty]


def int_literal(draw: st.DrawFn) -> str:
    return str(draw(st.one_of(st.integers(-9, 9), st.sampled_from([3037000500, 2**62, INT_MAX, 1000003]))))


def float_literal(draw: st.DrawFn) -> str:
    return repr(draw(st.sampled_from([0.0, 0.5, -1.5, 2.0, 3.25, 1e308, -0.0, 1e-300, 10.0])))


def ck(e: str) -> str:
    return f"_ck({e})"


def expr(draw: st.DrawFn, ctx: Ctx, ty: str, depth: int) -> E:
    """An expression of type ty (int, float or bool)."""
    leaf = depth <= 0 or draw(st.integers(0, 3)) == 0
    names = ctx.of(ty) + [f"{q}.{f}" for q in ctx.of(POINT) for f, t in POINT_FIELDS if t == ty]
    if leaf:
        if names and draw(st.integers(0, 3)) > 0:
            return both(draw(st.sampled_from(names)), ty)
        if ty == INT:
            return both(int_literal(draw), INT)
        if ty == FLOAT:
            return both(float_literal(draw), FLOAT)
        return both(draw(st.sampled_from(["True", "False"])), BOOL)
    return {INT: int_expr, FLOAT: float_expr, BOOL: bool_expr}[ty](draw, ctx, depth - 1)


def num(draw: st.DrawFn, ctx: Ctx, depth: int) -> E:
    return expr(draw, ctx, draw(st.sampled_from([INT, INT, FLOAT])), depth)


def call_expr(draw: st.DrawFn, ctx: Ctx, ty: str, depth: int) -> E | None:
    cands = [s for s in ctx.sigs if s.ret == ty]
    if not cands:
        return None
    sig = draw(st.sampled_from(cands))
    args = []
    for _, pty in sig.params:
        if pty in SCALARS:
            args.append(expr(draw, ctx, pty, depth - 1))
        else:
            lists = ctx.of(pty)
            if not lists:
                return None
            lst = draw(st.sampled_from(lists))
            if lst in ctx.iterating and pty in (LINT, LFLOAT):
                return None
            args.append(both(lst, pty))
    plain = f"{sig.name}({', '.join(a.plain for a in args)})"
    checked = f"{sig.name}({', '.join(a.checked for a in args)})"
    return E(plain, checked, ty)


def index_expr(draw: st.DrawFn, ctx: Ctx, ty: str, depth: int) -> E | None:
    lists = ctx.of(LINT if ty == INT else LFLOAT)
    if not lists:
        return None
    lst = draw(st.sampled_from(lists))
    i = expr(draw, ctx, INT, depth - 1) if draw(st.booleans()) else both(str(draw(st.integers(-4, 4))), INT)
    return E(f"{lst}[{i.plain}]", f"{lst}[{i.checked}]", ty)


STR_LITERALS = ['""', '"a"', '"ab"', '"b"', '"zz"', '"a b"']


def str_expr(draw: st.DrawFn, ctx: Ctx, depth: int) -> E:
    """A String made at run time (a temporary the compiled code must release on its own branch)."""
    a, b = draw(st.sampled_from(STR_LITERALS)), draw(st.sampled_from(STR_LITERALS))
    if depth > 0 and draw(st.booleans()):
        c = expr(draw, ctx, BOOL, depth - 1)
        x, y = str_expr(draw, ctx, depth - 1), str_expr(draw, ctx, depth - 1)
        return E(f"({x.plain} if {c.plain} else {y.plain})", f"({x.checked} if {c.checked} else {y.checked})", "str")
    return both(f"({a} + {b})", "str")


def list_temp(draw: st.DrawFn, ctx: Ctx, depth: int) -> E:
    """A List[int] temporary, possibly on one branch of a conditional expression."""
    items = [expr(draw, ctx, INT, 0) for _ in range(draw(st.integers(1, 3)))]
    lit = E("[" + ", ".join(i.plain for i in items) + "]", "[" + ", ".join(i.checked for i in items) + "]", LINT)
    if depth > 0 and draw(st.booleans()):
        c = expr(draw, ctx, BOOL, depth - 1)
        other = list_temp(draw, ctx, depth - 1)
        return E(f"({lit.plain} if {c.plain} else {other.plain} + {lit.plain})",
                 f"({lit.checked} if {c.checked} else {other.checked} + {lit.checked})", LINT)
    return lit


def int_expr(draw: st.DrawFn, ctx: Ctx, depth: int) -> E:
    kind = draw(st.sampled_from(["bin", "bin", "bin", "neg", "abs", "pow", "len", "index", "call", "conv",
                                 "floor", "minmax", "strlen", "listlen", "ifexp"]))
    if kind == "bin":
        a, b = expr(draw, ctx, INT, depth), expr(draw, ctx, INT, depth)
        op = draw(st.sampled_from(["+", "-", "*", "*", "//", "%"]))
        return E(f"({a.plain} {op} {b.plain})", ck(f"{a.checked} {op} {b.checked}"), INT)
    if kind == "neg":
        a = expr(draw, ctx, INT, depth)
        return E(f"(-{a.plain})", ck(f"-{a.checked}"), INT)
    if kind == "abs":
        a = expr(draw, ctx, INT, depth)
        return E(f"abs({a.plain})", ck(f"abs({a.checked})"), INT)
    if kind == "pow":
        a, k = expr(draw, ctx, INT, depth), draw(st.integers(0, 3))
        return E(f"({a.plain} ** {k})", ck(f"{a.checked} ** {k}"), INT)
    if kind == "len":
        lists = ctx.of(LINT) + ctx.of(LFLOAT)
        if lists:
            return both(f"len({draw(st.sampled_from(lists))})", INT)
    if kind == "index":
        e = index_expr(draw, ctx, INT, depth)
        if e:
            return e
    if kind == "call":
        e = call_expr(draw, ctx, INT, depth)
        if e:
            return e
    if kind in ("conv", "floor"):
        f = expr(draw, ctx, FLOAT, depth)
        fn = "int" if kind == "conv" else draw(st.sampled_from(["math.floor", "math.ceil", "math.trunc"]))
        return E(f"{fn}({f.plain})", ck(f"{fn}({f.checked})"), INT)
    if kind == "minmax":
        a, b = expr(draw, ctx, INT, depth), expr(draw, ctx, INT, depth)
        fn = draw(st.sampled_from(["min", "max"]))
        return E(f"{fn}({a.plain}, {b.plain})", f"{fn}({a.checked}, {b.checked})", INT)
    if kind == "strlen":
        e = str_expr(draw, ctx, depth)
        return E(f"len({e.plain})", f"len({e.checked})", INT)
    if kind == "listlen":
        e = list_temp(draw, ctx, depth)
        return E(f"len({e.plain})", f"len({e.checked})", INT)
    if kind == "floor" and draw(st.booleans()):  # math.floor of an Int is the int itself
        a = expr(draw, ctx, INT, depth)
        fn = draw(st.sampled_from(["math.floor", "math.ceil", "math.trunc"]))
        return E(f"{fn}({a.plain})", f"{fn}({a.checked})", INT)
    if kind == "ifexp":
        c, a, b = expr(draw, ctx, BOOL, depth), expr(draw, ctx, INT, depth), expr(draw, ctx, INT, depth)
        return E(f"({a.plain} if {c.plain} else {b.plain})", f"({a.checked} if {c.checked} else {b.checked})", INT)
    return expr(draw, ctx, INT, 0)


MATH1 = ["math.sqrt", "math.log", "math.exp", "math.sin", "math.fabs", "math.atan", "math.log1p", "math.cos"]
MATH2 = ["math.atan2", "math.hypot", "math.fmod", "math.copysign", "math.pow"]


def float_expr(draw: st.DrawFn, ctx: Ctx, depth: int) -> E:
    kind = draw(st.sampled_from(["bin", "bin", "bin", "div", "math1", "math2", "conv", "index", "call",
                                 "neg", "abs", "minmax"]))
    if kind == "bin":
        a = expr(draw, ctx, FLOAT, depth)
        b = num(draw, ctx, depth)
        if draw(st.booleans()):
            a, b = b, a
        op = draw(st.sampled_from(["+", "-", "*", "/", "//", "%"]))
        return E(f"({a.plain} {op} {b.plain})", f"({a.checked} {op} {b.checked})", FLOAT)
    if kind == "div":
        a, b = expr(draw, ctx, INT, depth), expr(draw, ctx, INT, depth)
        return E(f"({a.plain} / {b.plain})", f"({a.checked} / {b.checked})", FLOAT)
    if kind == "pow":
        a, b = expr(draw, ctx, FLOAT, depth), expr(draw, ctx, FLOAT, depth)
        return E(f"({a.plain} ** {b.plain})", f"_fpow({a.checked}, {b.checked})", FLOAT)
    if kind == "math1":
        fn, a = draw(st.sampled_from(MATH1)), expr(draw, ctx, FLOAT, depth)
        return E(f"{fn}({a.plain})", f"{fn}({a.checked})", FLOAT)
    if kind == "math2":
        fn, a, b = draw(st.sampled_from(MATH2)), expr(draw, ctx, FLOAT, depth), expr(draw, ctx, FLOAT, depth)
        return E(f"{fn}({a.plain}, {b.plain})", f"{fn}({a.checked}, {b.checked})", FLOAT)
    if kind == "conv":
        a = expr(draw, ctx, INT, depth)
        return E(f"float({a.plain})", f"float({a.checked})", FLOAT)
    if kind == "index":
        e = index_expr(draw, ctx, FLOAT, depth)
        if e:
            return e
    if kind == "call":
        e = call_expr(draw, ctx, FLOAT, depth)
        if e:
            return e
    if kind == "neg":
        a = expr(draw, ctx, FLOAT, depth)
        return E(f"(-{a.plain})", f"(-{a.checked})", FLOAT)
    if kind == "abs":
        a = expr(draw, ctx, FLOAT, depth)
        return E(f"abs({a.plain})", f"abs({a.checked})", FLOAT)
    if kind == "minmax":
        a, b = expr(draw, ctx, FLOAT, depth), expr(draw, ctx, FLOAT, depth)
        fn = draw(st.sampled_from(["min", "max"]))
        return E(f"{fn}({a.plain}, {b.plain})", f"{fn}({a.checked}, {b.checked})", FLOAT)
    return expr(draw, ctx, FLOAT, 0)


def bool_expr(draw: st.DrawFn, ctx: Ctx, depth: int) -> E:
    kind = draw(st.sampled_from(["cmp", "cmp", "chain", "andor", "not", "isnan", "call", "strchain", "strandor"]))
    if kind == "strchain":  # String temporaries in a chained comparison's tail
        parts = [str_expr(draw, ctx, depth - 1) for _ in range(draw(st.integers(2, 3)))]
        ops = [draw(st.sampled_from(["<", "<=", "==", "!="])) for _ in parts[1:]]
        plain, checked = parts[0].plain, parts[0].checked
        for op, p in zip(ops, parts[1:]):
            plain += f" {op} {p.plain}"
            checked += f" {op} {p.checked}"
        return E(f"({plain})", f"({checked})", BOOL)
    if kind == "strandor":  # String temporaries on the right of and/or
        a, x, y = expr(draw, ctx, BOOL, depth), str_expr(draw, ctx, depth - 1), str_expr(draw, ctx, depth - 1)
        op = draw(st.sampled_from(["and", "or"]))
        return E(f"({a.plain} {op} {x.plain} == {y.plain})", f"({a.checked} {op} {x.checked} == {y.checked})", BOOL)
    if kind == "cmp":
        a, b = num(draw, ctx, depth), num(draw, ctx, depth)
        op = draw(st.sampled_from(["<", "<=", "==", "!=", ">", ">="]))
        return E(f"({a.plain} {op} {b.plain})", f"({a.checked} {op} {b.checked})", BOOL)
    if kind == "chain":
        ops = draw(st.lists(st.sampled_from(["<", "<=", "==", "!=", ">", ">="]), min_size=2, max_size=3))
        parts = [num(draw, ctx, depth - 1) for _ in range(len(ops) + 1)]
        plain, checked = parts[0].plain, parts[0].checked
        for op, p in zip(ops, parts[1:]):
            plain += f" {op} {p.plain}"
            checked += f" {op} {p.checked}"
        return E(f"({plain})", f"({checked})", BOOL)
    if kind == "andor":
        a, b = expr(draw, ctx, BOOL, depth), expr(draw, ctx, BOOL, depth)
        op = draw(st.sampled_from(["and", "or"]))
        return E(f"({a.plain} {op} {b.plain})", f"({a.checked} {op} {b.checked})", BOOL)
    if kind == "not":
        a = expr(draw, ctx, BOOL, depth)
        return E(f"(not {a.plain})", f"(not {a.checked})", BOOL)
    if kind == "isnan":
        a = expr(draw, ctx, FLOAT, depth)
        fn = draw(st.sampled_from(["math.isnan", "math.isinf", "math.isfinite"]))
        return E(f"{fn}({a.plain})", f"{fn}({a.checked})", BOOL)
    e = call_expr(draw, ctx, BOOL, depth)
    return e if e else expr(draw, ctx, BOOL, 0)


Lines = list[tuple[int, str, str]]  # (indent, plain, checked)


def block(draw: st.DrawFn, ctx: Ctx, ret: str, indent: int, size: int, depth: int) -> Lines:
    out: Lines = []
    for _ in range(size):
        out += stmt(draw, ctx, ret, indent, depth)
    return out or [(indent, "pass", "pass")]


def assign(draw: st.DrawFn, ctx: Ctx, indent: int) -> Lines:
    targets = [n for n, t in ctx.vars.items() if t in SCALARS and n not in ctx.loop_vars and not n.startswith("p")]
    if not targets:
        return []
    name = draw(st.sampled_from(targets))
    ty = ctx.vars[name]
    if ty == BOOL:
        e = expr(draw, ctx, BOOL, 2)
        return [(indent, f"{name} = {e.plain}", f"{name} = {e.checked}")]
    op = draw(st.sampled_from(["=", "+=", "-=", "*="] + (["//=", "%="] if ty == INT else ["/="])))
    e = expr(draw, ctx, ty, 2) if ty == INT or op == "=" else num(draw, ctx, 2)
    if op == "=":
        return [(indent, f"{name} = {e.plain}", f"{name} = {e.checked}")]
    if ty == INT:
        return [(indent, f"{name} {op} {e.plain}", f"{name} = _ck({name} {op[:-1]} {e.checked})")]
    return [(indent, f"{name} {op} {e.plain}", f"{name} {op} {e.checked}")]


def stmt(draw: st.DrawFn, ctx: Ctx, ret: str, indent: int, depth: int) -> Lines:
    kinds = ["assign", "assign", "if", "return_if", "raise_if", "append", "setitem", "augitem", "augitem_call",
             "maybe_bound", "field_store"]
    if depth > 0:
        kinds += ["for", "for", "while", "forin", "forin_grow"]
    if ctx.in_loop:
        kinds += ["break"]
    kind = draw(st.sampled_from(kinds))
    if kind == "assign":
        return assign(draw, ctx, indent)
    if kind == "if":
        c = expr(draw, ctx, BOOL, 2)
        out: Lines = [(indent, f"if {c.plain}:", f"if {c.checked}:")]
        out += block(draw, ctx, ret, indent + 1, draw(st.integers(1, 2)), depth - 1)
        if draw(st.booleans()):
            c2 = expr(draw, ctx, BOOL, 2)
            out += [(indent, f"elif {c2.plain}:", f"elif {c2.checked}:")]
            out += block(draw, ctx, ret, indent + 1, 1, depth - 1)
        if draw(st.booleans()):
            out += [(indent, "else:", "else:")]
            out += block(draw, ctx, ret, indent + 1, 1, depth - 1)
        return out
    if kind == "return_if":
        c, e = expr(draw, ctx, BOOL, 2), ret_expr(draw, ctx, ret)
        return [(indent, f"if {c.plain}:", f"if {c.checked}:"), (indent + 1, f"return {e.plain}", f"return {e.checked}")]
    if kind == "raise_if":
        c = expr(draw, ctx, BOOL, 2)
        msg = f"bad value {ctx.fresh('')}"
        return [(indent, f"if {c.plain}:", f"if {c.checked}:"),
                (indent + 1, f"raise ValueError({msg!r})", f"raise ValueError({msg!r})")]
    if kind == "append":
        lists = [n for n in ctx.of(LINT) + ctx.of(LFLOAT) if n in ctx.mutable and n not in ctx.iterating]
        if not lists:
            return []
        lst = draw(st.sampled_from(lists))
        e = expr(draw, ctx, INT if ctx.vars[lst] == LINT else FLOAT, 2)
        return [(indent, f"{lst}.append({e.plain})", f"{lst}.append({e.checked})")]
    if kind == "setitem":
        lists = [n for n in ctx.of(LINT) + ctx.of(LFLOAT) if n in ctx.mutable]
        if not lists:
            return []
        lst = draw(st.sampled_from(lists))
        i = both(str(draw(st.integers(-4, 4))), INT) if draw(st.booleans()) else expr(draw, ctx, INT, 1)
        e = expr(draw, ctx, INT if ctx.vars[lst] == LINT else FLOAT, 2)
        return [(indent, f"{lst}[{i.plain}] = {e.plain}", f"{lst}[{i.checked}] = {e.checked}")]
    if kind == "augitem":
        lists = [n for n in ctx.of(LINT) + ctx.of(LFLOAT) if n in ctx.mutable]
        if not lists:
            return []
        lst = draw(st.sampled_from(lists))
        i = both(str(draw(st.integers(-3, 3))), INT)
        if ctx.vars[lst] == LINT:
            e = expr(draw, ctx, INT, 1)
            return [(indent, f"{lst}[{i.plain}] += {e.plain}", f"{lst}[{i.checked}] = _ck({lst}[{i.checked}] + {e.checked})")]
        e = expr(draw, ctx, FLOAT, 1)
        return [(indent, f"{lst}[{i.plain}] *= {e.plain}", f"{lst}[{i.checked}] *= {e.checked}")]
    if kind == "field_store":
        return field_store(draw, ctx, indent)
    if kind == "augitem_call":  # xs[i] op= f(xs): the call may change the list (CPython re-resolves i)
        lists = [n for n in ctx.of(LINT) if n in ctx.mutable and n not in ctx.iterating]
        grows = [s for s in ctx.sigs if s.ret == INT and any(t == LINT for _, t in s.params)]
        if not lists:
            return []
        lst = draw(st.sampled_from(lists))
        i = both(str(draw(st.integers(-3, 3))), INT)
        if grows and draw(st.integers(0, 3)) > 0:
            sig = draw(st.sampled_from(grows))
            args: list[E] = []
            for _, t in sig.params:
                if t in SCALARS:
                    args.append(expr(draw, ctx, t, 1))
                    continue
                others = [n for n in ctx.of(t) if n != lst and n not in ctx.iterating]
                if t == LINT and all(a.plain != lst for a in args):
                    args.append(both(lst, t))
                elif others:
                    args.append(both(draw(st.sampled_from(others)), t))
                else:
                    return []
            rhs = E(f"{sig.name}({', '.join(a.plain for a in args)})", f"{sig.name}({', '.join(a.checked for a in args)})", INT)
        else:
            rhs = E(f"{lst}.pop()", f"{lst}.pop()", INT)
        return [(indent, f"{lst}[{i.plain}] += {rhs.plain}",
                 f"_ai({lst}, {i.checked}, lambda: {rhs.checked})")]
    if kind == "maybe_bound":  # a local bound on one branch only, read afterwards
        c, e = expr(draw, ctx, BOOL, 1), expr(draw, ctx, INT, 1)
        v = ctx.fresh("m")
        out = [(indent, f"if {c.plain}:", f"if {c.checked}:"), (indent + 1, f"{v} = {e.plain}", f"{v} = {e.checked}")]
        ctx.vars[v] = INT
        return out
    if kind == "break":
        c = expr(draw, ctx, BOOL, 1)
        return [(indent, f"if {c.plain}:", f"if {c.checked}:"), (indent + 1, "break", "break")]
    saved_loop, saved_vars = ctx.in_loop, dict(ctx.vars)
    ctx.in_loop = True
    try:
        if kind == "for":
            v = ctx.fresh("i")
            form = draw(st.sampled_from(["n", "ab", "abs", "len", "step"]))
            lists = ctx.of(LINT) + ctx.of(LFLOAT)
            ints = [n for n in ctx.of(INT) if n.startswith("p")]
            if form == "len" and lists:
                rng = f"range(len({draw(st.sampled_from(lists))}))"
            elif form == "ab":
                rng = f"range({draw(st.integers(-3, 3))}, {draw(st.integers(-3, 6))})"
            elif form == "abs":
                a, b = draw(st.integers(-5, 5)), draw(st.integers(-5, 5))
                rng = f"range({a}, {b}, {draw(st.sampled_from([-2, -1, 1, 2, 3]))})"
            elif form == "step" and ints:
                rng = f"range(0, 6, {draw(st.sampled_from(ints))})"
            else:
                rng = f"range({draw(st.integers(0, 5))})"
            ctx.vars[v] = INT
            ctx.loop_vars.append(v)
            body = block(draw, ctx, ret, indent + 1, draw(st.integers(1, 3)), depth - 1)
            return [(indent, f"for {v} in {rng}:", f"for {v} in {rng}:")] + body
        if kind == "forin_grow":  # the loop walks the live list: appends are visited, len() reads the new length
            lists = [n for n in ctx.of(LINT) if n in ctx.mutable and n not in ctx.iterating]
            if not lists:
                return []
            lst = draw(st.sampled_from(lists))
            v = ctx.fresh("x")
            ctx.vars[v] = INT
            ctx.loop_vars.append(v)
            bound = draw(st.integers(1, 6))
            body: Lines = [(indent + 1, f"if len({lst}) < {bound}:", f"if len({lst}) < {bound}:"),
                           (indent + 2, f"{lst}.append({v} + len({lst}))", f"{lst}.append(_ck({v} + len({lst})))")]
            ctx.iterating.add(lst)
            body += block(draw, ctx, ret, indent + 1, 1, depth - 1)
            ctx.iterating.discard(lst)
            return [(indent, f"for {v} in {lst}:", f"for {v} in {lst}:")] + body
        if kind == "forin":
            lists = [n for n in ctx.of(LINT) + ctx.of(LFLOAT)]
            if not lists:
                return []
            lst = draw(st.sampled_from(lists))
            v = ctx.fresh("x")
            ctx.vars[v] = INT if ctx.vars[lst] == LINT else FLOAT
            ctx.loop_vars.append(v)
            ctx.iterating.add(lst)
            body = block(draw, ctx, ret, indent + 1, draw(st.integers(1, 2)), depth - 1)
            ctx.iterating.discard(lst)
            return [(indent, f"for {v} in {lst}:", f"for {v} in {lst}:")] + body
        # while: a counter declared just before, bumped first thing in the body (continue-free)
        w = ctx.fresh("w")
        c = expr(draw, ctx, BOOL, 1)
        bound = draw(st.integers(0, 5))
        ctx.vars[w] = INT
        ctx.loop_vars.append(w)
        body = block(draw, ctx, ret, indent + 1, draw(st.integers(1, 2)), depth - 1)
        return [(indent, f"{w} = 0", f"{w} = 0"),
                (indent, f"while {w} < {bound} and {c.plain}:", f"while {w} < {bound} and {c.checked}:"),
                (indent + 1, f"{w} += 1", f"{w} += 1")] + body
    finally:
        ctx.in_loop = saved_loop
        ctx.vars = saved_vars


def ret_expr(draw: st.DrawFn, ctx: Ctx, ret: str) -> E:
    if ret == "None":
        return both("", "")
    return expr(draw, ctx, ret, 3)


POINT = "Pt"  # a class the migrator makes a struct; programs keep instances in locals and store to fields
POINT_FIELDS = [("x", INT), ("y", FLOAT)]
POINT_CLASS = """
from dataclasses import dataclass


@dataclass
class Pt:
    x: int
    y: float
"""


def field_store(draw: st.DrawFn, ctx: Ctx, indent: int) -> Lines:
    """`q.x = e` or `q.x op= e` on a struct local (a store through the local's own slot)."""
    points = ctx.of(POINT)
    if not points:
        return []
    q = draw(st.sampled_from(points))
    fname, ty = draw(st.sampled_from(POINT_FIELDS))
    e = expr(draw, ctx, ty, 2)
    if draw(st.booleans()):
        return [(indent, f"{q}.{fname} = {e.plain}", f"{q}.{fname} = {e.checked}")]
    op = draw(st.sampled_from(["+=", "-=", "*="]))
    if ty == INT:
        return [(indent, f"{q}.{fname} {op} {e.plain}", f"{q}.{fname} = _ck({q}.{fname} {op[:-1]} {e.checked})")]
    return [(indent, f"{q}.{fname} {op} {e.plain}", f"{q}.{fname} {op} {e.checked}")]


@dataclass
class Program:
    plain: str
    checked: str
    sigs: list[Sig]


@st.composite
def programs(draw: st.DrawFn) -> Program:
    """A module of 1-3 typed functions; later ones may call earlier ones."""
    sigs: list[Sig] = []
    plain_fns, checked_fns = [], []
    for k in range(draw(st.integers(1, 3))):
        params = [(f"p{j}", draw(st.sampled_from([INT, INT, FLOAT, FLOAT, BOOL, LINT, LFLOAT])))
                  for j in range(draw(st.integers(1, 3)))]
        ret = draw(st.sampled_from([INT, INT, FLOAT, FLOAT, BOOL, "None"]))
        ctx = Ctx(sigs=list(sigs), vars=dict(params))
        ctx.mutable = {n for n, t in params if t in (LINT, LFLOAT)}
        lines: Lines = []
        for _ in range(draw(st.integers(0, 2))):  # locals bound at the top, so every read sees a binding
            ty = draw(st.sampled_from([INT, FLOAT, BOOL]))
            v = ctx.fresh("v")
            e = expr(draw, ctx, ty, 2)
            lines.append((1, f"{v} = {e.plain}", f"{v} = {e.checked}"))
            ctx.vars[v] = ty
        if draw(st.booleans()):
            q = ctx.fresh("q")
            x, y = expr(draw, ctx, INT, 1), expr(draw, ctx, FLOAT, 1)
            lines.append((1, f"{q} = Pt({x.plain}, {y.plain})", f"{q} = Pt({x.checked}, {y.checked})"))
            ctx.vars[q] = POINT
        if draw(st.integers(0, 3)) == 0:
            v = ctx.fresh("ys")
            text = f"{v}: list[int] = [{int_literal(draw)}, {int_literal(draw)}]"
            lines.append((1, text, text))
            ctx.vars[v] = LINT
            ctx.mutable.add(v)
        lines += block(draw, ctx, ret, 1, draw(st.integers(1, 4)), 2)
        e = ret_expr(draw, ctx, ret)
        lines.append((1, f"return {e.plain}".rstrip(), f"return {e.checked}".rstrip()))
        name = f"f{k}"
        sig_text = ", ".join(f"{p}: {t}" for p, t in params)
        head = f"def {name}({sig_text}) -> {ret}:"
        doors = [f"    _door({name!r}, {p!r}, {p}, {t!r})" for p, t in params if t in (INT, LINT)]
        plain_fns.append("\n".join([head] + ["    " * i + p for i, p, _ in lines]))
        checked_fns.append("\n".join([head] + doors + ["    " * i + c for i, _, c in lines]))
        sigs.append(Sig(name, params, ret))
    plain = "import math\n\n" + POINT_CLASS + "\n\n" + "\n\n\n".join(plain_fns) + "\n"
    checked = "import math\n" + ORACLE_PRELUDE + POINT_CLASS + "\n\n" + "\n\n\n".join(checked_fns) + "\n"
    return Program(plain, checked, sigs)


def arg_for(ty: str) -> st.SearchStrategy[object]:
    ints = st.one_of(st.integers(-10, 10), st.sampled_from(INT_EDGES), st.integers(INT_MIN, INT_MAX))
    floats = st.one_of(st.sampled_from(FLOAT_EDGES), st.floats(), st.floats(-100, 100))
    if ty == FLOAT:
        return st.one_of(floats, st.integers(-5, 5), st.sampled_from([2**53 + 1, -(2**63)]))
    if ty == INT:
        return st.one_of(ints, st.sampled_from([2**63, INT_MIN - 1]))
    if ty == FLOAT:
        return floats
    if ty == BOOL:
        return st.booleans()
    if ty == LINT:
        return st.lists(ints, max_size=4)
    return st.lists(floats, max_size=4)


def calls_for(sig: Sig) -> st.SearchStrategy[list[tuple[object, ...]]]:
    return st.lists(st.tuples(*[arg_for(t) for _, t in sig.params]), min_size=3, max_size=5)
