"""Compiled recursion honours sys.setrecursionlimit, lowered or raised between calls, as CPython does."""

from __future__ import annotations

import sys
import textwrap
import types

import pytest

from pymigrate.codegen import compile_module
from pymigrate.runtime.jit import load
from pymigrate.superset import parse

SOURCE = textwrap.dedent(
    """
    fn down(n: Int) raises -> Int:
        if n == 0:
            return 0
        return down(n - 1) + 1
    """
)


def compiled() -> types.ModuleType:
    module = types.ModuleType("recursion_limit")
    load(compile_module(parse(SOURCE, "recursion_limit.pys"), "recursion_limit"), module)
    return module


def test_a_lowered_limit_applies_to_the_next_call() -> None:
    module = compiled()
    old = sys.getrecursionlimit()
    try:
        assert module.down(500) == 500  # sets up the native side with the default limit (1000)
        sys.setrecursionlimit(100)
        with pytest.raises(RecursionError, match="maximum recursion depth exceeded"):
            module.down(500)
        sys.setrecursionlimit(old)
        assert module.down(500) == 500
    finally:
        sys.setrecursionlimit(old)
