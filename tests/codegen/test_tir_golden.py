"""Goldens of the typed IR: the exact text after each pass (tir/text.py), read and checked by hand once:
every owned reference released once on every path, every failing op branching to its line's
traceback entry, the NULL a failed op left never released."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pymigrate.codegen.tir import PASSES, tir_text

GOLDENS = Path(__file__).parent / "goldens" / "tir"
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
    "definite": """\
def f(a, b):
L0:
    r0 = enter_recursion :: i32 ! line 1
    r1 = PyNumber_Add(a, b) :: object ! line 2
    x = r1
    goto L1
L1:
    leave_recursion
    return x
""",
    "errors": """\
def f(a, b):
L0:
    r0 = enter_recursion :: i32 ! line 1
    r1 = r0 != 0 :: bool
    if r1 goto L6 else goto L1
L1:
    r2 = PyNumber_Add(a, b) :: object ! line 2
    r3 = r2 == NULL :: bool
    if r3 goto L4 else goto L2 (NULL r2 on true)
L2:
    x = r2
    goto L3
L3:
    leave_recursion
    return x
L4:
    add_traceback line 2
    goto L5
L5:
    leave_recursion
    return NULL
L6:
    return NULL
""",
    "refcount": """\
def f(a, b):
L0:
    inc_ref a
    inc_ref b
    r0 = enter_recursion :: i32 ! line 1
    r1 = r0 != 0 :: bool
    if r1 goto L6 else goto L1
L1:
    r2 = PyNumber_Add(a, b) :: object ! line 2
    r3 = r2 == NULL :: bool
    if r3 goto L4 else goto L2 (NULL r2 on true)
L2:
    xdec_ref x
    x = r2
    goto L3
L3:
    leave_recursion
    dec_ref a
    dec_ref b
    return x
L4:
    add_traceback line 2
    goto L5
L5:
    leave_recursion
    dec_ref a
    dec_ref b
    xdec_ref x
    return NULL
L6:
    dec_ref a
    dec_ref b
    xdec_ref x
    return NULL
""",
    "specialize": """\
def f(a, b):
L0:
    inc_ref a
    inc_ref b
    r0 = enter_recursion :: i32 ! line 1
    r1 = r0 != 0 :: bool
    if r1 goto L6 else goto L1
L1:
    r2 = pmo.fast.add.PyNumber_Add(a, b) :: object ! line 2
    r3 = r2 == NULL :: bool
    if r3 goto L4 else goto L2 (NULL r2 on true)
L2:
    xdec_ref x
    x = r2
    goto L3
L3:
    leave_recursion
    dec_ref a
    dec_ref b
    return x
L4:
    add_traceback line 2
    goto L5
L5:
    leave_recursion
    dec_ref a
    dec_ref b
    xdec_ref x
    return NULL
L6:
    dec_ref a
    dec_ref b
    xdec_ref x
    return NULL
""",
}
ADD_AFTER["strings"] = ADD_AFTER["definite"]  # no f-string in ADD: the strings pass changes nothing

LOOP_AFTER_REFCOUNT = """\
def g(xs):
L0:
    inc_ref xs
    r0 = enter_recursion :: i32 ! line 1
    r1 = r0 != 0 :: bool
    if r1 goto L21 else goto L1
L1:
    r2 = PyObject_GetIter(xs) :: object ! line 2
    r3 = r2 == NULL :: bool
    if r3 goto L18 else goto L2 (NULL r2 on true)
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
    if r5 goto L19 else goto L5 (NULL r4 on true)
L5:
    r6 = x == NULL :: bool
    if r6 goto L22 else goto L16
L6:
    r7 = PyIter_Next(%1) :: object
    r8 = r7 == NULL :: bool
    if r8 goto L8 else goto L7 (NULL r7 on true)
L7:
    xdec_ref x
    x = r7
    goto L14
L8:
    r9 = PyErr_Occurred() :: object (borrowed)
    r10 = r9 != NULL :: bool
    if r10 goto L9 else goto L3
L9:
    propagate
    goto L18
L10:
    goto L4
L11:
    goto L12
L12:
    r11 = PyErr_CheckSignals() :: i32 ! line 2
    r12 = r11 < 0 :: bool
    if r12 goto L18 else goto L13
L13:
    goto L6
L14:
    r13 = const None :: object (borrowed)
    r14 = x == r13 :: bool
    if r14 goto L10 else goto L11
L15:
    raise UnboundLocalError("cannot access local variable 'x' where it is not associated with a value")
    goto L19
L16:
    r15 = const 1 :: object (borrowed)
    r16 = call r4(x, r15) kw=['key'] :: object ! line 5
    dec_ref r4
    r17 = r16 == NULL :: bool
    if r17 goto L19 else goto L17 (NULL r16 on true)
L17:
    leave_recursion
    dec_ref xs
    xdec_ref x
    xdec_ref %1
    return r16
L18:
    add_traceback line 2
    goto L20
L19:
    add_traceback line 5
    goto L20
L20:
    leave_recursion
    dec_ref xs
    xdec_ref x
    xdec_ref %1
    return NULL
L21:
    dec_ref xs
    xdec_ref x
    xdec_ref %1
    return NULL
L22:
    dec_ref r4
    goto L15
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
        "    goto L18\n"
        "L17:\n"
        "    add_traceback line 3 in <listcomp>\n"
        "    leave_recursion\n"
        "    add_traceback line 2\n"
        "    goto L18\n"
        "L18:\n"
        "    leave_recursion\n"
        "    return NULL\n"
        "L19:\n"
        "    return NULL\n"
    )


TRY = (
    "def f(a, b):\n    try:\n        x = a[b]\n    except (KeyError, IndexError) as e:\n        raise\n"
    "    except TypeError:\n        return None\n    finally:\n        b = None\n    return x\n"
)


@pytest.mark.parametrize("upto", PASSES)
def test_try_after_each_pass(upto: str) -> None:
    """A try: each failing op inside it names its handler (`catch L<n>`); after the error pass its
    failure adds the fn's entry at its line, then goes there; a handler takes the exception out and
    makes it the handled one, restores the one handled before on every exit, re-raises without a
    new entry; the finally body is copied on the normal, exception and return paths."""
    from inline_snapshot import external_file

    text = tir_text("f", "f", ast.parse(TRY).body[0], upto)
    assert text == external_file(GOLDENS / f"try.{upto}.txt", format=".txt")
