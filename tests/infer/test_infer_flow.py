"""Functions that hand values through get type variables (flow.py): iterables in, iterators out, callables
applied to items, selections of items. The tests use ints; a caller using strings is mypy's ground truth."""

from __future__ import annotations

import libcst as cst

from pymigrate.migrate.annotate import annotate_module
from pymigrate.migrate.infer import infer_package

UTILS = '''
from collections import deque
from itertools import chain, islice


def take(n, iterable):
    return list(islice(iterable, n))


def tail(n, iterable):
    return iter(deque(iterable, maxlen=n))


def flatten(lists):
    return chain.from_iterable(lists)


def apply(func, seq):
    for x in seq:
        yield func(x)


def first(seq, pred):
    for x in seq:
        if pred(x):
            return x
    return None


def max_by(seq, key):
    return max(seq, key=key)


def unique(seq, key):
    seen = set()
    for x in seq:
        k = key(x)
        if k not in seen:
            seen.add(k)
            yield x


def total(seq):
    s = 0
    for x in seq:
        s = s + x
    return s
'''

TESTS = '''
from fu.utils import apply, first, flatten, max_by, tail, take, total, unique


def test_utils():
    assert take(2, [1, 2, 3]) == [1, 2]
    assert list(tail(2, [1, 2, 3])) == [2, 3]
    assert list(flatten([[1], [2, 3]])) == [1, 2, 3]
    assert list(apply(abs, [-1, 2])) == [1, 2]
    assert first([1, 2, 3], lambda x: x > 1) == 2
    assert max_by([1, -3, 2], abs) == -3
    assert list(unique([1, -1, 2], abs)) == [1, 2]
    assert total([1, 2]) == 3
'''

# a user of the API with other values than the tests used
CALLER = '''
from fu.utils import apply, first, flatten, max_by, tail, take, unique

words: list[str] = take(2, ["a", "b", "c"])
last: list[str] = list(tail(1, ("a", "b")))
letters: list[str] = list(flatten(["ab", "cd"]))
lengths: list[int] = list(apply(len, ["a", "bb"]))
found: str | None = first(["a", "bb"], lambda w: len(w) > 1)
longest: str = max_by(["a", "bb"], len)
once: list[str] = list(unique(["a", "A"], str.lower))
'''


def test_functions_handing_items_through_take_type_variables(  # type: ignore[no-untyped-def]
        api_project, mypy_errors, infer_traced) -> None:
    project = api_project("fu", "utils.py", UTILS, TESTS, CALLER)
    files, types = infer_traced(project, "fu", "utils.py")
    fns = types.for_file(files[1]).functions
    signatures = {name: (f.params, f.returns) for name, f in fns.items()}
    assert signatures["take"] == ({"n": "int", "iterable": "Iterable[_T]"}, "list[_T]")
    assert signatures["tail"] == ({"n": "int", "iterable": "Iterable[_T]"}, "Iterator[_T]")
    # items of items: the plain reading fails mypy (chain.from_iterable needs iterables)
    assert signatures["flatten"] == ({"lists": "Iterable[Iterable[_T]]"}, "Iterator[_T]")
    assert signatures["apply"] == ({"func": "Callable[[_T], _T1]", "seq": "Iterable[_T]"}, "Iterator[_T1]")
    # a callable whose result reaches no return takes any result
    assert signatures["first"] == ({"seq": "Iterable[_T]", "pred": "Callable[[_T], object]"}, "_T | None")
    assert signatures["unique"] == ({"seq": "Iterable[_T]", "key": "Callable[[_T], object]"}, "Iterator[_T]")
    # the body adds the items: it depends on their type, the tests' int stays
    assert signatures["total"] == ({"seq": "Iterable[int]"}, "int")
    ft = types.for_file(files[1])
    assert '_T = TypeVar("_T")' in ft.imports and '_T1 = TypeVar("_T1")' in ft.imports

    assert mypy_errors(project, "caller.py") == []     # nothing refused before annotation...
    path = files[1]
    path.write_text(annotate_module(cst.parse_module(path.read_text()), types.for_file(path)).code)
    assert mypy_errors(project, "caller.py") == []     # ...nor after: strings are accepted, and typed
    assert mypy_errors(project, "fu") == []
    again = infer_package(files, root=project, target_version=(3, 11))     # idempotent: every slot is filled
    assert annotate_module(cst.parse_module(path.read_text()), again.for_file(path)).code == path.read_text()


def test_a_plain_value_keeps_its_evidence(infer_module) -> None:  # type: ignore[no-untyped-def]
    fns = infer_module('''
        def echo(s):
            return s

        def first_or(seq, fallback):
            for x in seq:
                return x
            return fallback

        def keyed(seq, key):
            return sorted(seq, key=key)

        def measured(seq):
            return [len(x) for x in seq]

        x = echo("a")
        y = pair([1], 2)
        z = keyed([3, 1], abs)
        w = measured(["a"])
    ''')
    assert fns["echo"].params == {"s": "str"}           # no iterable handed through: evidence wins
    # a value only held next to an iterable, reaching the return, is a variable of its own
    assert fns["first_or"].params == {"seq": "Iterable[_T]", "fallback": "_T1"}
    assert fns["first_or"].returns == "_T | _T1"
    assert fns["keyed"].params == {"seq": "Iterable[_T]", "key": '"Callable[[_T], SupportsRichComparison]"'}
    assert fns["keyed"].returns == "list[_T]"
    assert fns["measured"].params == {"seq": "Iterable[str]"}   # len(x): the body needs what it measures
