"""Malformed superset input: the right error class, line, column (1-based, characters, as
CPython counts them) and a message that says what to write instead."""

from __future__ import annotations

import pytest

from pymigrate.superset import parse

KEYWORD = "is a keyword of the superset; write `{}` to use it as a name"

CASES = [
    # a keyword used as a name
    ("x = 1\nvar = 2\n", 2, 1, KEYWORD.format("var")),
    ("fn = 1\n", 1, 1, KEYWORD.format("fn")),
    ("def f():\n    return struct.x\n", 2, 12, KEYWORD.format("struct")),
    ("obj.var = 1\n", 1, 5, KEYWORD.format("var")),
    ("f(var=1)\n", 1, 3, KEYWORD.format("var")),
    ("import fn\n", 1, 8, KEYWORD.format("fn")),
    ("for var in range(3): pass\n", 1, 5, KEYWORD.format("var")),
    ("x = f'{var}'\n", 1, 8, KEYWORD.format("var")),
    ("x = f'{a:{fn}}'\n", 1, 11, KEYWORD.format("fn")),
    # missing names
    ("fn (x: Int) -> Int:\n    pass\n", 1, 1, "expected a function name after 'fn'"),
    ("struct:\n    pass\n", 1, 1, "expected a struct name after 'struct'"),
    ("if x:\n    fn\n", 2, 5, "expected a function name after 'fn'"),
    # backticks
    ("x = `class + 1\n", 1, 5, "unclosed backtick"),
    ("y = 2\nprint(`var)\n", 2, 7, "unclosed backtick"),
    ("x = `` + 1\n", 1, 5, "empty backticks"),
    ("x = `a b`\n", 1, 5, "backticks enclose a single name, and 'a b' is not a name"),
    ("x = f'{`}'\n", 1, 8, "unclosed backtick"),
    # missing colon (CPython's own message, at the original column)
    ("fn f(x: Int) -> Int\n    return x\n", 1, 20, "expected ':'"),
    ("struct Point\n    var x: Int\n", 1, 13, "expected ':'"),
    ("fn f(mut x: Int) raises -> Int\n    return x\n", 1, 31, "expected ':'"),
    # conventions in the wrong place
    ("mut x = 1\n", 1, 1, "'mut' is an argument convention"),
    ("print(mut x)\n", 1, 7, "'mut' is an argument convention"),
    ("fn f(x: Int):\n    out y = x\n", 2, 5, "'out' is an argument convention"),
    ("g = lambda mut x: x\n", 1, 12, "'mut' is an argument convention"),
    ("def f(mut x): pass\n", 1, 7, "argument conventions are only allowed in a fn: change 'def' to 'fn'"),
    ("def f(a, var b): pass\n", 1, 10, "argument conventions are only allowed in a fn"),
    # raises in the wrong place
    ("def f() raises:\n    pass\n", 1, 9, "'raises' is only allowed on a fn"),
    ("fn f() -> Int raises:\n    pass\n", 1, 15, "'raises' is only allowed right after the parameter list"),
    # var declarations that are not one
    ("fn f():\n    var x\n", 2, 5, "'var' needs a type or a value"),
    ("var x, y = 1, 2\n", 1, 1, "'var' declares one plain name"),
    ("var x.y = 1\n", 1, 1, "'var' declares one plain name"),
    ("var x = y = 1\n", 1, 1, "'var' declares one plain name"),
    ("print(var x)\n", 1, 7, "a 'var' declaration must start a statement"),
    ("x = [var y for y in z]\n", 1, 6, "a 'var' declaration must start a statement"),
    # CPython's errors after rewritten tokens on the same line keep their original column
    ("fn f(a: Int) -> Int: return $\n", 1, 29, "invalid syntax"),
    ("x = `class` + $\n", 1, 15, "invalid syntax"),
    ("var é = 'ü'; x = $\n", 1, 18, "invalid syntax"),
    ("struct S:\n    var x: Int = (1,\n", 2, 18, "'(' was never closed"),
    # the earliest problem wins, ours or CPython's
    ("x = 1\ny = (\nvar = 3\n", 2, 5, "'(' was never closed"),
    ("var = 3\ny = (\n", 1, 1, KEYWORD.format("var")),
    ("x = 1\0\n", 1, 6, "null byte"),
]


@pytest.mark.parametrize("source, line, col, message", CASES, ids=[repr(c[0]) for c in CASES])
def test_error_position_and_message(source: str, line: int, col: int, message: str) -> None:
    with pytest.raises(SyntaxError) as info:
        parse(source, "t.pys")
    exc = info.value
    assert (exc.lineno, exc.offset) == (line, col), exc.args
    assert message in exc.msg
    assert exc.filename == "t.pys"


def test_error_carries_the_original_line_and_the_token_end() -> None:
    with pytest.raises(SyntaxError) as info:
        parse("a = 1\nfn f():\n    return obj.var\n", "m.pys")
    exc = info.value
    assert exc.args[1] == ("m.pys", 3, 16, "    return obj.var\n", 3, 19)


def test_indentation_errors_keep_their_class() -> None:
    with pytest.raises(IndentationError) as info:
        parse("fn f():\nreturn 1\n", "t.pys")
    assert (info.value.lineno, info.value.offset) == (2, 1)


def test_plain_python_errors_are_cpythons_own() -> None:
    source = "def f(:\n    pass\n"
    with pytest.raises(SyntaxError) as theirs:
        compile(source, "t.py", "exec", dont_inherit=True, flags=0x400)  # ast only
    with pytest.raises(SyntaxError) as ours:
        parse(source, "t.py")
    assert ours.value.args == theirs.value.args


def test_every_python_keyword_may_be_backticked() -> None:
    import keyword

    for word in [*keyword.kwlist, "fn", "struct", "var", "mut", "out", "raises"]:
        result = parse(f"`{word}` = 1\nprint(`{word}`)\n", "t.pys")
        target = result.tree.body[0].targets[0]  # type: ignore[attr-defined]
        assert target.id == word
        assert result.is_backticked(target)
