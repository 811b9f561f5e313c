"""Goldens of the typed IR: the exact text after each pass (tir/text.py), read and checked by hand once:
every owned reference released once on every path, every failing op branching to its line's
traceback entry, the NULL a failed op left never released."""

from __future__ import annotations

import ast

import pytest

from pymigrate.codegen.tir import PASSES, tir_text

ADD = 'def f(a, b):\n    x = a + b\n    return x\n'
LOOP = 'def g(xs):\n    for x in xs:\n        if x is None:\n            break\n    return f(x, key=1)\n'

ADD_AFTER = {
    "build": """\
def f(a, b):
L0:
    r0 = enter_recursion :: i32 ! line 1
    r1 = PyNumber_Add(a, b) :: object ! line 2
    x = r1
    r2 = x == NULL :: bool
    if r2 goto L1 else goto L2
L1:
    raise UnboundLocalError("cannot access local variable 'x' where it is not associated with a value")
L2:
    leave_recursion
    return x
""",
    "errors": """\
def f(a, b):
L0:
    r0 = enter_recursion :: i32 ! line 1
    r1 = r0 < 0 :: bool
    if r1 goto L8 else goto L1
L1:
    r2 = PyNumber_Add(a, b) :: object ! line 2
    r3 = r2 == NULL :: bool
    if r3 goto L5 else goto L2 (NULL r2 on true)
L2:
    x = r2
    r4 = x == NULL :: bool
    if r4 goto L3 else goto L4
L3:
    raise UnboundLocalError("cannot access local variable 'x' where it is not associated with a value")
    goto L6
L4:
    leave_recursion
    return x
L5:
    add_traceback line 2
    goto L7
L6:
    add_traceback line 3
    goto L7
L7:
    leave_recursion
    return NULL
L8:
    return NULL
""",
    "refcount": """\
def f(a, b):
L0:
    inc_ref a
    inc_ref b
    r0 = enter_recursion :: i32 ! line 1
    r1 = r0 < 0 :: bool
    if r1 goto L8 else goto L1
L1:
    r2 = PyNumber_Add(a, b) :: object ! line 2
    r3 = r2 == NULL :: bool
    if r3 goto L5 else goto L2 (NULL r2 on true)
L2:
    xdec_ref x
    x = r2
    r4 = x == NULL :: bool
    if r4 goto L3 else goto L4
L3:
    raise UnboundLocalError("cannot access local variable 'x' where it is not associated with a value")
    goto L6
L4:
    leave_recursion
    dec_ref a
    dec_ref b
    return x
L5:
    add_traceback line 2
    goto L7
L6:
    add_traceback line 3
    goto L7
L7:
    leave_recursion
    dec_ref a
    dec_ref b
    xdec_ref x
    return NULL
L8:
    dec_ref a
    dec_ref b
    xdec_ref x
    return NULL
""",
}

LOOP_AFTER_REFCOUNT = """\
def g(xs):
L0:
    inc_ref xs
    r0 = enter_recursion :: i32 ! line 1
    r1 = r0 < 0 :: bool
    if r1 goto L23 else goto L1
L1:
    r2 = PyObject_GetIter(xs) :: object ! line 2
    r3 = r2 == NULL :: bool
    if r3 goto L19 else goto L2 (NULL r2 on true)
L2:
    xdec_ref %1
    %1 = r2
    goto L6
L3:
    goto L4
L4:
    xdec_ref %1
    %1 = NULL
    r4 = load_global f :: object ! line 5
    r5 = r4 == NULL :: bool
    if r5 goto L20 else goto L5 (NULL r4 on true)
L5:
    r6 = x == NULL :: bool
    if r6 goto L24 else goto L17
L6:
    r7 = PyIter_Next(%1) :: object
    r8 = r7 == NULL :: bool
    if r8 goto L8 else goto L7 (NULL r7 on true)
L7:
    xdec_ref x
    x = r7
    r9 = x == NULL :: bool
    if r9 goto L14 else goto L15
L8:
    r10 = PyErr_Occurred() :: object (borrowed)
    r11 = r10 != NULL :: bool
    if r11 goto L9 else goto L3
L9:
    propagate
    goto L19
L10:
    goto L4
L11:
    goto L12
L12:
    r12 = PyErr_CheckSignals() :: i32 ! line 2
    r13 = r12 < 0 :: bool
    if r13 goto L19 else goto L13
L13:
    goto L6
L14:
    raise UnboundLocalError("cannot access local variable 'x' where it is not associated with a value")
    goto L21
L15:
    r14 = const None :: object (borrowed)
    r15 = x == r14 :: bool
    if r15 goto L10 else goto L11
L16:
    raise UnboundLocalError("cannot access local variable 'x' where it is not associated with a value")
    goto L20
L17:
    r16 = const 1 :: object (borrowed)
    r17 = call r4(x, r16) kw=['key'] :: object ! line 5
    dec_ref r4
    r18 = r17 == NULL :: bool
    if r18 goto L20 else goto L18 (NULL r17 on true)
L18:
    leave_recursion
    dec_ref xs
    xdec_ref x
    xdec_ref %1
    return r17
L19:
    add_traceback line 2
    goto L22
L20:
    add_traceback line 5
    goto L22
L21:
    add_traceback line 3
    goto L22
L22:
    leave_recursion
    dec_ref xs
    xdec_ref x
    xdec_ref %1
    return NULL
L23:
    dec_ref xs
    xdec_ref x
    xdec_ref %1
    return NULL
L24:
    dec_ref r4
    goto L16
"""


@pytest.mark.parametrize("upto", PASSES)
def test_each_pass(upto: str) -> None:
    node = ast.parse(ADD).body[0]
    assert tir_text("f", "f", node, upto) == ADD_AFTER[upto]


def test_loop_break_and_call_after_refcount() -> None:
    node = ast.parse(LOOP).body[0]
    assert tir_text("g", "g", node, "refcount") == LOOP_AFTER_REFCOUNT


COMPREHENSION = "def f(a):\n    return [x + 1\n            for x in a]\n"


def test_an_error_inside_a_comprehension_adds_its_frame_then_the_fns() -> None:
    """CPython's unwinding: the `<listcomp>` entry at the failing line, the frame left, then the fn's
    entry at the line that called the comprehension."""
    text = tir_text("f", "f", ast.parse(COMPREHENSION).body[0], "errors")
    assert text.endswith(
        "    add_traceback line 2 in <listcomp>\n"
        "    leave_recursion\n"
        "    add_traceback line 2\n"
        "    goto L19\n"
        "L18:\n"
        "    add_traceback line 3 in <listcomp>\n"
        "    leave_recursion\n"
        "    add_traceback line 2\n"
        "    goto L19\n"
        "L19:\n"
        "    leave_recursion\n"
        "    return NULL\n"
        "L20:\n"
        "    return NULL\n"
    )
