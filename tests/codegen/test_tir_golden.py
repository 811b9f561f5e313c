"""Goldens of the typed IR (goldens/tir/*.txt, inline-snapshot external files: `make snapshots`): the exact
text after each pass (tir/text.py), read and checked by hand once:
every owned reference released once on every path, every failing op branching to its line's
traceback entry, the NULL a failed op left never released."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from inline_snapshot import external_file

from pymigrate.codegen.tir import PASSES, tir_text

GOLDENS = Path(__file__).parent / "goldens" / "tir"
ADD = 'def f(a, b):\n    x = a + b\n    return x\n'
LOOP = 'def g(xs):\n    for x in xs:\n        if x is None:\n            break\n    return f(x, key=1)\n'

@pytest.mark.parametrize("upto", PASSES)
def test_each_pass(upto: str) -> None:
    node = ast.parse(ADD).body[0]
    assert tir_text("f", "f", node, upto) == external_file(GOLDENS / f"add.{upto}.txt", format=".txt")


def test_loop_break_and_call_after_refcount() -> None:
    node = ast.parse(LOOP).body[0]
    assert tir_text("g", "g", node, "refcount") == external_file(GOLDENS / "loop.refcount.txt", format=".txt")


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
    text = tir_text("f", "f", ast.parse(TRY).body[0], upto)
    assert text == external_file(GOLDENS / f"try.{upto}.txt", format=".txt")


CLOSURE = "def f(a, *xs):\n    g = lambda: a + 1\n    a = xs\n    return g(*a, k=1)\n"


def test_a_captured_parameter_lives_in_a_cell() -> None:
    """After refcount: the parameter's cell made at entry with its argument (MAKE_CELL), the lambda made
    from its registered code object with a closure of that cell, the store into the cell, the read
    from it with its unbound test, the call with `*` through CALL_FUNCTION_EX's tuple and dict."""
    text = tir_text("f", "f", ast.parse(CLOSURE).body[0], "refcount")
    assert text == external_file(GOLDENS / "closure.refcount.txt", format=".txt")
