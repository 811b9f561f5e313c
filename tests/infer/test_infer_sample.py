"""Public API seen only in the package's tests: a parameter the body only compares, hashes, stores or hands
on gets the widest type the body supports, not the classes the tests happened to pass."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from pymigrate.migrate.annotate import annotate_module

SORTED = '''
import bisect


class SortedList:
    def __init__(self):
        self._items = []
        self._counts = {}

    def add(self, value):
        bisect.insort(self._items, value)
        self._counts[value] = self._counts.get(value, 0) + 1

    def discard(self, value):
        i = bisect.bisect_left(self._items, value)
        if i < len(self._items) and self._items[i] == value:
            del self._items[i]
            self._counts[value] -= 1

    def count(self, value):
        return self._counts.get(value, 0)

    def __contains__(self, value):
        return value in self._counts and self._counts[value] > 0

    def __len__(self):
        return len(self._items)

    def scaled(self, factor):
        return [item * factor for item in self._items] if factor else []


def double(n):
    return n * 2
'''

TESTS = '''
from sc.sortedlist import SortedList, double


def test_sorted():
    s = SortedList()
    for v in (3, 1, 2, 2):
        s.add(v)
    s.discard(1)
    assert s.count(2) == 2
    assert 3 in s
    assert len(s) == 3
    assert double(4) == 8
    assert s.scaled(2) == [4, 4, 6]
'''

# a user of the API with other comparable values than the tests used
CALLER = '''
from sc.sortedlist import SortedList

names = SortedList()
names.add("bob")
names.add("alice")
names.discard("bob")
n: int = names.count("alice")
assert "alice" in names
assert len(names) == 1
'''


@pytest.fixture
def project(api_project) -> Path:  # type: ignore[no-untyped-def]
    return api_project("sc", "sortedlist.py", SORTED, TESTS, CALLER)  # type: ignore[no-any-return]


def test_sampled_parameters_take_the_widest_type_the_body_supports(project: Path, mypy_errors, infer_traced) -> None:  # type: ignore[no-untyped-def]
    files, types = infer_traced(project, "sc", "sortedlist.py")
    fns = types.for_file(files[1]).functions
    assert fns["SortedList.add"].params == {"value": '"SupportsRichComparison"'}      # ordered by bisect
    assert fns["SortedList.discard"].params == {"value": '"SupportsRichComparison"'}
    assert fns["SortedList.count"].params == {"value": "Hashable"}                  # a key
    assert fns["SortedList.__contains__"].params == {"value": "Hashable"}
    assert fns["SortedList.scaled"].params == {"factor": "int"}                     # arithmetic: the sample
    assert fns["double"].params == {"n": "int"}
    assert "if TYPE_CHECKING:\n    from _typeshed import SupportsRichComparison" in types.for_file(files[1]).imports

    assert mypy_errors(project, "caller.py") == []     # nothing refused before annotation...
    path = files[1]
    path.write_text(annotate_module(cst.parse_module(path.read_text()), types.for_file(path)).code)
    assert mypy_errors(project, "caller.py") == []     # ...nor after: the strings are accepted
    assert mypy_errors(project, "sc") == []


def test_a_parameter_given_back_unchanged_is_a_type_variable(infer_module) -> None:  # type: ignore[no-untyped-def]
    fns = infer_module('''
        REGISTRY = []
        NAMES = {}

        def register(klass):
            REGISTRY.append(klass)
            return klass

        def named(klass):
            NAMES[klass.__name__] = klass       # a plain type variable has no __name__
            return klass

        def pick(flag, value):
            if flag:
                return value
            return value

        def maybe(value):
            if value:
                return value
            return None

        @register
        @named
        class A:
            pass

        def echo(s):
            return s

        x = echo("a")
    ''')
    assert fns["register"].params == {"klass": "_T"} and fns["register"].returns == "_T"
    assert fns["pick"].params == {"value": "_T"} and fns["pick"].returns == "_T"
    assert fns["echo"].params == {"s": "str"} and fns["echo"].returns == "str"    # evidence wins
    assert "_T" not in repr(fns.get("named"))
    assert "_T" not in repr(fns.get("maybe"))      # it also returns None


def test_a_new_type_variable_is_declared_once_after_the_imports() -> None:
    from pymigrate.migrate.infer import FileTypes, FunctionTypes
    ft = FileTypes(functions={"f": FunctionTypes({"x": "_T"}, "_T")},
                   imports=["from typing import TypeVar", '_T = TypeVar("_T")'])
    once = annotate_module(cst.parse_module("import os\n\n\ndef f(x):\n    return x\n"), ft).code
    assert once == 'import os\nfrom typing import TypeVar\n_T = TypeVar("_T")\n\n\ndef f(x: _T) -> _T:\n    return x\n'
    assert annotate_module(cst.parse_module(once), ft).code == once
