"""Generated superset modules: the tree is what the equivalent Python parses to, every mark sits
on its keyword, and the printer round-trips. The equivalent Python is written alongside: `fn` as
`def`, `struct` as `class`, conventions/`var`/`raises` left out, and a name that needs backticks
spelled `kw_<name>` (renamed back before comparing)."""

from __future__ import annotations

import ast
import re
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from pymigrate.superset import MarkKind, parse, unparse
from pymigrate.superset.keywords import needs_backticks

NAMES = ["a", "b", "total", "x1", "café", "ß", "class", "if", "fn", "var", "struct", "match", "mut", "out", "raises", "lambda", "None"]
TYPES = ["Int", "Float64", "Bool", "String", "List[Int]", "Point"]


class Module:
    """Superset text, the equivalent Python text, and the marks expected by kind."""

    def __init__(self) -> None:
        self.superset: list[str] = []
        self.python: list[str] = []
        self.marks: Counter[MarkKind] = Counter()

    def __repr__(self) -> str:
        return "Module(" + repr("\n".join(self.superset)) + ")"

    def line(self, superset: str, python: str) -> None:
        self.superset.append(superset)
        self.python.append(python)


@st.composite
def names(draw: st.DrawFn, module: Module) -> tuple[str, str]:
    """A name as written in the superset and in the equivalent Python."""
    name = draw(st.sampled_from(NAMES))
    if needs_backticks(name) or draw(st.booleans()) and draw(st.booleans()):
        module.marks[MarkKind.BACKTICK] += 1
        return f"`{name}`", ("kw_" + name if needs_backticks(name) else name)
    return name, name


@st.composite
def expressions(draw: st.DrawFn, module: Module) -> tuple[str, str]:
    kind = draw(st.sampled_from(["int", "name", "str", "fstr", "binop", "attr"]))
    if kind == "int":
        n = str(draw(st.integers(0, 10**6)))
        return n, n
    if kind == "str":
        s = repr(draw(st.sampled_from(["var x = 1", "fn f():", "`", "struct", "plain"])))
        return s, s
    s_name, p_name = draw(names(module))
    if kind == "name":
        return s_name, p_name
    if kind == "fstr":
        return f"f'<{{{s_name}!r}}> var'", f"f'<{{{p_name}!r}}> var'"
    if kind == "attr":
        s_attr, p_attr = draw(names(module))
        return f"{s_name}.{s_attr}", f"{p_name}.{p_attr}"
    s_right, p_right = draw(expressions(module))
    return f"{s_name} + {s_right}", f"{p_name} + {p_right}"


@st.composite
def statements(draw: st.DrawFn, module: Module, indent: str) -> None:
    kind = draw(st.sampled_from(["var", "var_typed", "assign", "return", "pass", "two"]))
    if kind == "pass":
        module.line(f"{indent}pass", f"{indent}pass")
        return
    s_expr, p_expr = draw(expressions(module))
    if kind in ("var", "var_typed", "two"):
        s_name, p_name = draw(names(module))
        ty = f": {draw(st.sampled_from(TYPES))}" if kind == "var_typed" else ""
        module.marks[MarkKind.VAR_DECL] += 1
        if kind == "two":  # a declaration after `;` on the same line
            module.marks[MarkKind.VAR_DECL] += 1
            module.marks[MarkKind.BACKTICK] += s_name.startswith("`")
            module.line(f"{indent}var {s_name} = 1; var {s_name} = {s_expr}", f"{indent}{p_name} = 1; {p_name} = {p_expr}")
        else:
            module.line(f"{indent}var {s_name}{ty} = {s_expr}", f"{indent}{p_name}{ty} = {p_expr}")
    elif kind == "assign":
        s_name, p_name = draw(names(module))
        module.line(f"{indent}{s_name} = {s_expr}", f"{indent}{p_name} = {p_expr}")
    else:
        module.line(f"{indent}return {s_expr}", f"{indent}return {p_expr}")


@st.composite
def functions(draw: st.DrawFn, module: Module, indent: str, method: str | None) -> None:
    s_name, p_name = draw(names(module))
    is_fn = draw(st.booleans()) or method is not None
    s_params: list[str] = []
    p_params: list[str] = []
    if method is not None:
        conv = {"self": "", "mut": "mut ", "out": "out "}[method]
        if conv:
            module.marks[MarkKind.PARAM_MUT if method == "mut" else MarkKind.PARAM_OUT] += 1
        s_params.append(f"{conv}self")
        p_params.append("self")
    used: set[str] = {"self"}
    for _ in range(draw(st.integers(0, 3))):
        s_arg, p_arg = draw(names(module))
        if p_arg in used or p_arg == "kw_None":
            if s_arg.startswith("`"):
                module.marks[MarkKind.BACKTICK] -= 1
            continue
        used.add(p_arg)
        conv = draw(st.sampled_from(["", "mut ", "var ", "out "])) if is_fn else ""
        if conv:
            module.marks[{"mut ": MarkKind.PARAM_MUT, "var ": MarkKind.PARAM_VAR, "out ": MarkKind.PARAM_OUT}[conv]] += 1
        ty = draw(st.sampled_from(TYPES))
        s_params.append(f"{conv}{s_arg}: {ty}")
        p_params.append(f"{p_arg}: {ty}")
    raises = is_fn and draw(st.booleans())
    ret = f" -> {draw(st.sampled_from(TYPES))}" if draw(st.booleans()) else ""
    if is_fn:
        module.marks[MarkKind.FN] += 1
    if raises:
        module.marks[MarkKind.RAISES] += 1
    keyword = "fn" if is_fn else "def"
    module.line(
        f"{indent}{keyword} {s_name}({', '.join(s_params)}){' raises' if raises else ''}{ret}:",
        f"{indent}def {p_name}({', '.join(p_params)}){ret}:",
    )
    for _ in range(draw(st.integers(1, 3))):
        draw(statements(module, indent + "    "))


@st.composite
def modules(draw: st.DrawFn) -> Module:
    module = Module()
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["fn", "struct", "stmt"]))
        if kind == "fn":
            draw(functions(module, "", None))
        elif kind == "stmt":
            draw(statements(module, ""))
        else:
            s_name, p_name = draw(names(module))
            module.marks[MarkKind.STRUCT] += 1
            module.line(f"struct {s_name}:", f"class {p_name}:")
            for _ in range(draw(st.integers(0, 2))):
                s_field, p_field = draw(names(module))
                ty = draw(st.sampled_from(TYPES))
                module.marks[MarkKind.VAR_DECL] += 1
                module.line(f"    var {s_field}: {ty}", f"    {p_field}: {ty}")
            for _ in range(draw(st.integers(0, 2))):
                draw(functions(module, "    ", draw(st.sampled_from(["self", "mut", "out"]))))
            module.line("    pass", "    pass")
    return module


def _python_dump(python: str) -> str:
    return re.sub(r"'kw_(\w+)'", r"'\1'", ast.dump(ast.parse(python)))


@settings(max_examples=150, deadline=None)
@given(modules())
def test_generated_modules(module: Module) -> None:
    superset = "\n".join(module.superset) + "\n"
    python = "\n".join(module.python) + "\n"
    result = parse(superset, "gen.pys")
    assert ast.dump(result.tree) == _python_dump(python)
    assert Counter(m.kind for m in result.marks) == +module.marks
    lines = superset.splitlines()
    for m in result.marks:
        text = lines[m.line - 1].encode()[m.col : m.end_col].decode()
        if m.kind is MarkKind.BACKTICK:
            assert text == f"`{m.name}`" or text.startswith("`"), (m, text)
        else:
            assert text == m.kind.value.replace("param-", ""), (m, text)
    printed = unparse(result)
    again = parse(printed, "printed.pys")
    assert ast.dump(again.tree) == ast.dump(result.tree)
    assert [(m.kind, m.name) for m in again.marks] == [(m.kind, m.name) for m in result.marks]
