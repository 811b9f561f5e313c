"""annotate_module: exact output text, comments and blank lines kept, imports only when needed, idempotent."""

from __future__ import annotations

import textwrap

import libcst as cst

from pymigrate.migrate.annotate import annotate_module
from pymigrate.migrate.infer import FileTypes, FunctionTypes

SOURCE = textwrap.dedent('''\
    """Module docstring."""
    import os  # keep me


    # a comment before the class
    class C:
        def __init__(self, size):   # trailing comment
            self.size = size

        @property
        def value(self):
            return 1

        @value.setter
        def value(self, new):
            pass


    def outer(a, b: int = 2, *args, **kw):
        def inner(x):

            return x
        return inner(a)
    ''')

TYPES = FileTypes(
    functions={
        "C.__init__": FunctionTypes({"size": "int"}, "None"),
        "C.value": FunctionTypes({}, "int"),
        "outer": FunctionTypes({"a": "Sequence[str]", "b": "str", "args": "int", "kw": "Path"}, "str"),
        "outer.<locals>.inner": FunctionTypes({"x": "str"}, "str"),
    },
    attributes={"C.size": "int"},
    imports=["from collections.abc import Sequence", "from typing import TYPE_CHECKING",
             "if TYPE_CHECKING:\n    from pathlib import Path", "from decimal import Decimal"],
)

EXPECTED = textwrap.dedent('''\
    """Module docstring."""
    import os  # keep me
    from collections.abc import Sequence
    from typing import TYPE_CHECKING
    if TYPE_CHECKING:
        from pathlib import Path


    # a comment before the class
    class C:
        def __init__(self, size: int) -> None:   # trailing comment
            self.size: int = size

        @property
        def value(self) -> int:
            return 1

        @value.setter
        def value(self, new):
            pass


    def outer(a: Sequence[str], b: int = 2, *args: int, **kw: "Path") -> str:
        def inner(x: str) -> str:

            return x
        return inner(a)
    ''')


def test_golden_output() -> None:
    out = annotate_module(cst.parse_module(SOURCE), TYPES).code
    assert out == EXPECTED


def test_idempotent() -> None:
    once = annotate_module(cst.parse_module(SOURCE), TYPES).code
    assert annotate_module(cst.parse_module(once), TYPES).code == once


def test_no_imports_when_nothing_inserted_uses_them() -> None:
    source = "def f(x: int):\n    return x\n"
    types = FileTypes(functions={"f": FunctionTypes({"x": "Decimal"}, None)},
                      imports=["from decimal import Decimal"])
    assert annotate_module(cst.parse_module(source), types).code == source


def test_existing_binding_is_not_imported_again() -> None:
    source = "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from pathlib import Path\n\n\ndef f(p):\n    pass\n"
    types = FileTypes(functions={"f": FunctionTypes({"p": "Path"}, "None")},
                      imports=["if TYPE_CHECKING:\n    from pathlib import Path"])
    out = annotate_module(cst.parse_module(source), types).code
    # Path is bound only for type checkers: unquoted, the def would raise NameError at import
    assert out == source.replace("def f(p):", 'def f(p: "Path") -> None:')


def test_empty_types_leave_module_untouched() -> None:
    module = cst.parse_module(SOURCE)
    assert annotate_module(module, FileTypes()) is module


def test_guarded_imports_share_one_type_checking_block() -> None:
    module = cst.parse_module("import os\n\n\ndef f(a, b):\n    pass\n")
    types = FileTypes(functions={"f": FunctionTypes({"a": '"Path"', "b": '"Decimal"'}, None)},
                      imports=["from typing import TYPE_CHECKING", "if TYPE_CHECKING:\n    from pathlib import Path",
                               "if TYPE_CHECKING:\n    from decimal import Decimal"])
    assert annotate_module(module, types).code == (
        "import os\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pathlib import Path\n"
        "    from decimal import Decimal\n\n\ndef f(a: \"Path\", b: \"Decimal\"):\n    pass\n")


def test_only_what_the_types_name_is_entered_and_the_rest_is_left_exactly() -> None:
    """Definitions with no types below them are not walked (a large module costs what its typed parts cost):
    every named slot, however deeply nested, still gets its annotation, and nothing else changes."""
    source = textwrap.dedent('''\
        import os


        class Untouched:
            def __init__(self):
                self.a = 1

            def method(self, x):
                def helper(y):
                    return y
                return helper(x)


        class Outer:
            class Inner:
                def __init__(self, v):
                    if v:
                        self.v = v

            def run(self, n):
                def step(k):
                    class Local:
                        def go(self, q):
                            return q
                    return Local().go(k)
                return step(n)


        def plain(a):
            def nested(b):
                return b
            return nested(a)
        ''')
    types = FileTypes(
        functions={"Outer.run.<locals>.step.<locals>.Local.go": FunctionTypes({"q": "int"}, "int"),
                   "plain.<locals>.nested": FunctionTypes({"b": "Path"}, None),
                   "Outer.Inner.__init__": FunctionTypes({"v": "int"}, "None")},
        attributes={"Outer.Inner.v": "int"},
        imports=["from pathlib import Path"])
    out = annotate_module(cst.parse_module(source), types).code
    expected = (source.replace("import os\n", "import os\nfrom pathlib import Path\n")
                .replace("def __init__(self, v):", "def __init__(self, v: int) -> None:")
                .replace("self.v = v", "self.v: int = v")
                .replace("def go(self, q):", "def go(self, q: int) -> int:")
                .replace("def nested(b):", "def nested(b: Path):"))
    assert out == expected
    assert annotate_module(cst.parse_module(source), types, source).code == expected
