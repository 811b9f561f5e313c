"""Defs of real packages (reduced from idna 3.10 and toolz 0.12.1) become object fns end to end.

A parameter without a type means `object`, a missing result type `object` (or `None` when no path
returns a value), read by the checker and never written into the source; a signature naming a type with
no native representation (`bytes`, `Optional`, `Union`, a class) makes the fn object-tier, whose
parameters take no convention: the analyzer calls such a def ready when the checker accepts that reading
(probe.fill), the migrator writes that same fn, it builds, and every call agrees with CPython's, on arguments far beyond the annotations.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from e2e_harness import MODES, Package, call, differences, fn_names, make_package

# idna/core.py, reduced: annotations naming bytes/Union/Optional, a package exception raised, a
# rebound parameter, a docstring, a default, a call into another module-level def
CORE = '''\
from typing import Optional, Union


class IDNAError(UnicodeError):
    pass


def valid_label_length(label: Union[bytes, str]) -> bool:
    """Whether the label fits in 63 octets."""
    if len(label) > 63:
        return False
    return True


def check_hyphen_ok(label: str) -> bool:
    if label[2:4] == '--':
        raise IDNAError('Label has disallowed hyphens in 3rd and 4th position')
    if label[0] == '-' or label[-1] == '-':
        raise IDNAError('Label must not start or end with a hyphen')
    return True


def _punycode(s: str) -> bytes:
    return s.encode('punycode')


def alabel(label: str, strict: Optional[bool] = None) -> bytes:
    label = label.lower()
    if strict:
        check_hyphen_ok(label)
    label_bytes = b'xn--' + _punycode(label)
    if not valid_label_length(label_bytes):
        raise IDNAError('Label too long')
    return label_bytes
'''

# toolz/itertoolz.py, reduced: annotations naming no native type (a parameter without one means `object`),
# mutation of a parameter's object, loops, unpacking
ITER = '''\
from typing import Iterable, MutableSequence, Sequence


def frequencies(seq: Iterable):
    d = {}
    for item in seq:
        if item in d:
            d[item] += 1
        else:
            d[item] = 1
    return d


def first_two(seq: Sequence):
    a, b = seq[0], seq[1]
    return (b, a)


def push(xs: MutableSequence, x):
    xs.append(x)
    xs = None
    return xs


def interpose(el, seq: Sequence):
    out = []
    for i in range(len(seq)):
        if i:
            out.append(el)
        out.append(seq[i])
    return out
'''

MODULES = {"core": CORE, "itertoolz": ITER}
# source text: each call builds its own arguments (a list handed to `push` is not the one the next call sees)
VALUES = ["'ab--c'", "'-x'", "'abc'", "'Bücher'", "''", "b'abc'", "'x' * 70", "None", "0", "2**70", "True",
          "[1, 2, 2]", "(1, 'a')", "3.5", "float('nan')", "[]", "{'a': 1}"]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Package:
    return make_package(tmp_path_factory.mktemp("objup"), "objup", MODULES)


def test_migrate_writes_the_object_upgrade(package: Package) -> None:
    # check_hyphen_ok's signature is native (str -> bool): the native tier refuses its `raise IDNAError`, it stays a def
    assert fn_names(package.pys["core"]) == {"valid_label_length", "_punycode", "alabel"}
    # interpose: inference writes `-> list[Collection[_T]]`, a native list of no native item, which the checker
    # refuses: it stays a def (and is still compared below)
    assert fn_names(package.pys["itertoolz"]) == {"frequencies", "first_two", "push"}
    # `x` has no type: it means `object` to the checker and is left unwritten, so the Python reading is the def's
    assert "fn push(xs: MutableSequence, x) raises" in package.pys["itertoolz"], package.pys["itertoolz"]
    assert "fn alabel(label: str, strict: Optional[bool] = None) raises -> bytes:" in package.pys["core"]
    assert "mut " not in package.pys["itertoolz"] and "var xs" not in package.pys["itertoolz"]


@pytest.mark.parametrize("module,functions", [
    ("core", {"valid_label_length": 1, "check_hyphen_ok": 1, "_punycode": 1, "alabel": 2}),
    ("itertoolz", {"frequencies": 1, "first_two": 1, "push": 2, "interpose": 2}),
])
def test_every_call_agrees_with_cpython(package: Package, module: str, functions: dict[str, int]) -> None:
    items = []
    for name, arity in functions.items():
        for args in itertools.product(VALUES, repeat=arity):
            # the arguments afterwards are compared too (push changes its list)
            items.append(call(f"objup.{module}", f"a = [{', '.join(args)}]\nresult = (m.{name}(*a), a)"))
    found = differences(package, items, MODES)
    assert not found, "\n".join(map(str, found[:10]))


def test_the_build_is_what_runs(package: Package, tmp_path: Path) -> None:
    assert list((package.dir("so") / "objup").glob("core*.so")), package.build_log
