"""What the object tier does not compile yet is refused with a precise diagnostic (file:line:col and
what to do), never miscompiled."""

from __future__ import annotations

import pytest
from codegen_support import parse

from pymigrate.codegen import CompileError, compile_module

KEEP = "; keep this function a def"


def errors(src: str) -> list[str]:
    with pytest.raises(CompileError) as info:
        compile_module(parse(src, "m.pys"), "m")
    return str(info.value).splitlines()


def codes(src: str) -> list[str]:
    with pytest.raises(CompileError) as info:
        compile_module(parse(src, "m.pys"), "m")
    return [d.code for d in info.value.diagnostics]


@pytest.mark.parametrize(("body", "code"), [
    ("    try:\n        pass\n    except* E:\n        pass\n", "PM313"),
    ("    global G\n    G = 1\n", "PM309"),
    ("    global G\n", "PM316"),
    ("    yield a\n", "PM305"),
    ("    return locals()\n", "PM302"),
    ("    return eval(a)\n", "PM301"),
    ("    exec(a)\n", "PM301"),
    ("    return dir()\n", "PM317"),
])  # fmt: skip
def test_the_analyzers_hint_code(body: str, code: str) -> None:
    assert codes(f"fn f(a: object) -> object:\n{body}") == [code]


@pytest.mark.parametrize(("body", "where", "message"), [
    ("    try:\n        pass\n    except* E:\n        pass\n", "2:5", "try/except* is not supported in an object fn yet"),
    ("    match a:\n        case _:\n            pass\n", "2:5", "match is not supported in an object fn yet"),
    ("    global G\n", "2:5", "global is not supported in an object fn yet"),
    ("    return super()\n", "2:12", "'super' reads the calling frame, which a compiled fn does not have"),
    ("    return sys._getframe(0)\n", "2:12", "'_getframe' reads Python frames, which a compiled fn does not have"),
    ("    raise\n", "2:5", "a bare `raise` is not supported in an object fn yet (it re-raises the exception its "
                           "caller handles)"),
    ("    try:\n        pass\n    finally:\n        raise\n", "5:9", "a bare `raise` is not supported in an object fn yet "
                                                                    "(it re-raises the exception its caller handles)"),
    ("    del a\n", "2:9", "`del a` (unbinding a local) is not supported in an object fn yet"),
    ("    x, *y = a\n", "2:8", "starred assignment is not supported in an object fn yet"),
    ("    return (y := a)\n", "2:13", "an assignment expression (:=) is not supported in an object fn yet"),
])  # fmt: skip
def test_refused_with_its_place(body: str, where: str, message: str) -> None:
    assert errors(f"fn f(a: object) -> object:\n{body}") == [f"m.pys:{where}: error: {message}{KEEP}"]


@pytest.mark.parametrize("call", ["eval(a)", "exec(a)", "locals()", "globals()", "vars()"])
def test_dynamic_builtins_are_refused_as_in_a_native_fn(call: str) -> None:
    """eval/exec (PM301) and the namespace builtins (PM302): the rule pages' code and wording in either tier."""
    native = errors(f"fn f(a: Str) -> Int:\n    {call}\n    return 0\n")
    name = call.split("(")[0]
    why = "runs code built at run time; a `fn` cannot" if name in ("eval", "exec") \
        else "exposes a namespace as a dict; a `fn` has none"
    assert native == [f"m.pys:2:5: error: `{name}()` {why}"]
    assert errors(f"fn f(a: object) -> object:\n    {call}\n    return a\n") == native


def test_a_native_fn_does_not_call_an_object_fn_yet() -> None:
    src = "fn g(a: object) -> object:\n    return a\n\nfn f(n: Int) -> Int:\n    g(n)\n    return n\n"
    assert errors(src) == [
        "m.pys:5:5: error: fn 'g' takes or returns objects: a native fn cannot call it yet; annotate the values it "
        "takes with native types or keep this function a def"
    ]


def test_object_parameters_take_no_convention() -> None:
    assert errors("fn f(mut a: object) -> object:\n    return a\n") == [
        "m.pys:1:10: error: parameter 'a' of a fn over objects takes no `mut`: the object itself is passed, as in Python"
    ]


def test_an_annotation_naming_no_native_type_is_object() -> None:
    """`dict`, `Optional[str]` or a class name: an object parameter; a malformed native type stays an error."""
    compile_module(parse("fn f(a: dict, b: Optional[str]) -> Thing:\n    return a\n", "m.pys"), "m")
    assert errors("fn f(a: List) -> object:\n    return a\n") == [
        "m.pys:1:9: error: 'List' needs an element type: write List[Int]"
    ]


def test_a_generator_stays_a_def_with_its_hint() -> None:
    """A fn containing `yield` is a generator (PM305), in either tier; `yield` inside a nested def or
    lambda is that function's own, and the fn compiles."""
    message = "m.pys:1:1: error: fn 'f' is a generator (`yield`); a fn returns one value: keep it a def"
    assert errors("fn f(a: object) -> object:\n    yield a\n") == [message]
    assert errors("fn f(a: Int) -> Int:\n    yield a\n") == [message]
    compile_module(parse("fn f(a: object) -> object:\n    def g():\n        yield a\n    return g\n", "m.pys"), "m")
