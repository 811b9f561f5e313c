"""`terminates`: whether control can fall off the end of a block, shared by the analyzer and the migrator.

Each body is also run under CPython with every value of its flag: a body said to terminate never falls
off its end (the call never gives the implicit None), and one said not to does for some flag.
"""

from __future__ import annotations

import ast
import contextlib
import textwrap

import pytest

from pymigrate.control_flow import terminates

BODIES = {
    "return": ("return 1", True),
    "raise": ("raise ValueError", True),
    "if both": ("if c:\n    return 1\nelse:\n    return 2", True),
    "if one": ("if c:\n    return 1", False),
    "while true": ("while True:\n    if c:\n        return 1\n    c = True", True),
    "while true break": ("while True:\n    if c:\n        break\n    return 1", False),
    "inner break": ("while True:\n    for i in range(2):\n        break\n    return 1", True),
    "try both": ("try:\n    return int('x' if c else '1')\nexcept ValueError:\n    return 2", True),
    "try handler falls": ("try:\n    return int('x' if c else '1')\nexcept ValueError:\n    pass", False),
    "finally returns": ("try:\n    pass\nfinally:\n    return 3", True),
    "with": ("with contextlib.nullcontext():\n    return 1", True),
    "with falls": ("with contextlib.nullcontext():\n    if c:\n        return 1", False),
    "loop": ("for i in range(2 if c else 0):\n    return i", False),
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_terminates_agrees_with_cpython(name: str) -> None:
    source, expected = BODIES[name]
    body = ast.parse(source).body
    assert terminates(body) is expected
    code = "def f(c):\n" + textwrap.indent(source, "    ") + "\n"
    namespace: dict[str, object] = {"contextlib": contextlib}
    exec(compile(code, "<body>", "exec"), namespace)
    f = namespace["f"]
    assert callable(f)
    results = []
    for flag in (True, False):
        try:
            results.append(f(flag))
        except ValueError:
            results.append("raised")
    fell_through = any(r is None for r in results)
    assert fell_through is not expected
