"""The parser against CPython's on plain Python, and the ParseResult queries."""

from __future__ import annotations

import ast
import copy
import re

import pytest

from pymigrate.superset import SUPERSET_KEYWORDS, MarkKind, parse

PLAIN = [
    "x = 1\n",
    "s = 'a `quoted` text'  # a `comment` too\n",
    'd = """\nfn f(): var x = 1\n`struct`\n"""\n',
    "x = (1 +\n     2)\\\n    + 3\n",
    "y = 1if x else 2\n",
    "f(a)(b)[c]{d} if False else 0\n" if False else "z = [a for a in range(3) if a]\n",
    "match = case = 1\nmatch x:\n    case [a, *rest] if a:\n        pass\n    case {'k': v, **kw}:\n        pass\n",
    "@dec\n@dec2(1)\nasync def g(a, /, b=2, *c, d, **e) -> 'T':\n    await g()\n",
    "t = f'{x!r:>{w}} {y=} {{lit}}' rf'\\d{z}'\n",
    "b = rb'\\x00' + Rb\"\\\\\" + bR'''x'''\n",
    "x = 1\r\ny = 2\r\nif x:\r\n    z = 'é'\r\n",
    "x = 1\ry = 2\r",
    "\x0cx = 1\nif x:\n\ty = 2\n",
    "café = 'ünï'; π = café + 'ß'\n",
    "lambda: (yield)\n",
    "class C(B, metaclass=M):\n    def m(self) -> C: return self\n",
    "mut = out = raises = 1\ndef h(mut, out, *raises): return mut\n",
    "",
    "# only a comment",
]


def _dump(tree: ast.AST) -> str:
    return ast.dump(tree, include_attributes=True)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@pytest.mark.parametrize("source", PLAIN, ids=repr)
def test_plain_python_gives_exactly_cpythons_tree(source: str) -> None:
    assert _dump(parse(source).tree) == _dump(ast.parse(source))


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@pytest.mark.parametrize("source", PLAIN, ids=repr)
def test_plain_python_through_the_token_layer(source: str) -> None:
    """A `var` in a trailing comment sends the source through the full token layer."""
    source = source + "\n# var fn struct `x`\n"
    result = parse(source)
    assert _dump(result.tree) == _dump(ast.parse(source))
    assert result.marks == ()


def test_positions_with_crlf_and_edits_on_the_line() -> None:
    source = "fn f(mut a: Int) raises -> Int:\r\n    var b = `class` + a\r\n    return b\r\n"
    result = parse(source)
    func = result.tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    ret = func.body[1]
    assert (ret.lineno, ret.col_offset, ret.end_col_offset) == (3, 4, 12)
    decl = func.body[0]
    assert isinstance(decl, ast.Assign)
    assert (decl.lineno, decl.col_offset, decl.end_col_offset) == (2, 4, 23)
    binop = decl.value
    assert (binop.col_offset, binop.end_col_offset) == (12, 23)
    arg = func.args.args[0]
    assert (arg.lineno, arg.col_offset, arg.end_col_offset) == (1, 9, 15)
    assert func.returns is not None and func.returns.col_offset == 27


def test_source_segments_of_every_node_are_the_original_text() -> None:
    source = "fn f(mut a: Int, var `b`: Int) raises -> Int:\n    var c: Int = `class`.`if` + a\n    return c\n"
    result = parse(source)
    seg = {type(n).__name__ + str(i): ast.get_source_segment(source, n) for i, n in enumerate(ast.walk(result.tree))}
    values = set(seg.values())
    assert "`class`.`if`" in values
    assert "`class`.`if` + a" in values
    assert "var c: Int = `class`.`if` + a" in values
    assert "`b`: Int" in values
    assert "a: Int" in values


def test_queries_answer_on_a_copy_of_the_tree() -> None:
    source = "struct S:\n    var x: Int\n    fn get(self) raises -> Int:\n        return self.x\n"
    result = parse(source)
    tree = copy.deepcopy(result.tree)
    cls = tree.body[0]
    assert isinstance(cls, ast.ClassDef) and result.is_struct(cls)
    assert result.is_var_decl(cls.body[0])
    func = cls.body[1]
    assert isinstance(func, ast.FunctionDef)
    assert result.is_fn(func) and result.raises(func)
    assert result.convention(func, func.args.args[0]) == "read"


def test_query_answers_are_false_for_plain_python() -> None:
    result = parse("class C:\n    x: int = 1\n    def f(self, mut): return mut\n")
    cls = result.tree.body[0]
    assert isinstance(cls, ast.ClassDef)
    func = cls.body[1]
    assert isinstance(func, ast.FunctionDef)
    assert not result.is_struct(cls) and not result.is_var_decl(cls.body[0])
    assert not result.is_fn(func) and not result.raises(func)
    assert [result.convention(func, a) for a in func.args.args] == ["read", "read"]


def test_nested_fn_and_def_answer_for_themselves() -> None:
    source = "fn outer(mut a: Int) raises:\n    def inner(a):\n        return a\n    fn deep(var a: Int):\n        pass\n"
    result = parse(source)
    outer = result.tree.body[0]
    assert isinstance(outer, ast.FunctionDef)
    inner, deep = outer.body
    assert isinstance(inner, ast.FunctionDef) and isinstance(deep, ast.FunctionDef)
    assert (result.is_fn(outer), result.is_fn(inner), result.is_fn(deep)) == (True, False, True)
    assert (result.raises(outer), result.raises(inner), result.raises(deep)) == (True, False, False)
    assert result.convention(outer, outer.args.args[0]) == "mut"
    assert result.convention(inner, inner.args.args[0]) == "read"
    assert result.convention(deep, deep.args.args[0]) == "var"


def test_marks_are_in_source_order_and_named() -> None:
    source = "struct P:\n    var x: Int\n    fn __init__(out self, x: Int):\n        self.x = x\n"
    result = parse(source)
    kinds = [(m.kind, m.name, m.line, m.col) for m in result.marks]
    assert kinds == [
        (MarkKind.STRUCT, "P", 1, 0),
        (MarkKind.VAR_DECL, "x", 2, 4),
        (MarkKind.FN, "__init__", 3, 4),
        (MarkKind.PARAM_OUT, "self", 3, 16),
    ]


def test_placeholder_names_never_collide_with_the_source() -> None:
    source = "_pys_bt_0 = 1\n__pys_bt_0 = 2\n`class` = _pys_bt_0 + __pys_bt_0\n"
    tree = parse(source).tree
    assert ast.unparse(tree).split("\n")[-1] == "class = _pys_bt_0 + __pys_bt_0"


def test_backticked_names_in_every_place_a_name_can_be() -> None:
    source = (
        "from `fn`.`var` import `struct` as `class`\n"
        "import `if`.`else` as `def`\n"
        "global `var`\n"
        "try:\n    pass\nexcept E as `fn`:\n    pass\n"
        "match x:\n    case P(`var`=1) | {**`fn`} | [*`struct`] | (`class` as `def`):\n        pass\n"
    )
    expected = (
        "from fn.var import struct as class_\n"
        "import if_.else_ as def_\n"
        "global var\n"
        "try:\n    pass\nexcept E as fn:\n    pass\n"
        "match x:\n    case P(var=1) | {**fn} | [*struct] | (class_ as def_):\n        pass\n"
    )
    got = ast.dump(parse(source).tree)
    want = ast.dump(ast.parse(expected))
    want = re.sub(r"\b(class|if|else|def)_\b", r"\1", want)
    assert got == want


def test_superset_keywords_are_the_contract() -> None:
    assert SUPERSET_KEYWORDS == frozenset({"fn", "struct", "var"})
