"""Methods of ordinary classes in the object tier against the defs: the class stays the Python class the
same source makes, its `fn` methods are compiled function objects. Each behaviour is compared with the
same source run by CPython: calls through instances, the class, subclasses, getattr, functools.partial,
the type slots of dunder methods, decorators, private names, pickling, arity errors, exceptions with
their traceback entries, recursion and reference counts."""

from __future__ import annotations

import ast
import dataclasses
import functools
import gc
import inspect
import itertools
import pickle
import sys
import traceback
import types
from typing import Any

import pytest
from codegen_support import compiled, plain_python
from test_tir_object_tier import VALUES, describe

from pymigrate.codegen import CompileError
from pymigrate.codegen.probe import method_diagnostics

SOURCE = '''
import functools

class Base:
    "a base class"
    SCALE = 3

    fn __init__(self, x, y=SCALE, *, tag="b"):
        self.x = x
        self.y = y
        self.tag = tag

    fn __repr__(self):
        return f"{type(self).__name__}({self.x!r}, {self.y!r})"

    fn __eq__(self, other):
        return type(other) is type(self) and self.x == other.x and self.y == other.y

    fn __hash__(self):
        return hash((self.x, self.y))

    fn __len__(self):
        return len(self.x)

    fn __iter__(self):
        return iter([self.x, self.y])

    fn __getitem__(self, i):
        return (self.x, self.y)[i]

    fn __add__(self, other):
        return type(self)(self.x + other.x, self.y + other.y)

    fn __lt__(self, other):
        return self.x < other.x

    fn __bool__(self):
        return bool(self.x)

    fn combine(self, a, b=2, *rest, k=None, **kw):
        "combines its arguments"
        return (self.x, a, b, rest, k, sorted(kw.items()))

    fn arith(self, a):
        return self.x * a + self.y - a

    fn call_other(self, a):
        return self.arith(a) if a else self.combine(a)

    fn secret(self, v):
        self.__hidden = v
        __local = self.__hidden
        return (__local, self.__dict__.get("_Base__hidden"))

    fn depth(self, n):
        if n == 0:
            return 0
        return self.depth(n - 1) + 1

    fn fails(self, a):
        t = self.x
        return t[a]

    @staticmethod
    fn pair(a, b=1):
        return (a, b)

    @classmethod
    fn make(cls, x):
        return cls(x, x)

    @property
    fn total(self):
        return self.x + self.y

    @functools.lru_cache(maxsize=None)
    fn cached(self, n):
        return n * 2

    fn __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    fn __init_subclass__(cls, **kw):
        cls.registered = kw


class Child(Base, flag=1):
    fn arith(self, a):
        return ("child", super(Child, self).arith(a))

    fn secret(self, v):
        self.__hidden = v
        return self.__hidden
'''

NAMES = ["combine", "arith", "call_other", "secret", "fails"]


@pytest.fixture(scope="module")
def mods() -> tuple[types.ModuleType, types.ModuleType]:
    mod = compiled(SOURCE, "objmeth.pys")
    sys.modules[mod.__name__] = mod  # instances pickle by reference to their class
    py = types.ModuleType("objmeth_plain")
    sys.modules[py.__name__] = py
    exec(compile(plain_python(SOURCE), "objmeth.pys", "exec"), py.__dict__)
    return mod, py


def outcome(call: Any) -> tuple[Any, ...]:
    """A call's result, or its exception with the traceback entries from the first method's on."""
    try:
        return ("ok", describe(call()))
    except (Exception, RecursionError) as exc:  # noqa: BLE001 - the exception is what is compared
        entries = [(f.name, f.lineno) for f in traceback.extract_tb(exc.__traceback__)]
        own = [e for e in entries if e[0] != "<lambda>" and e[0] != "outcome"]
        return ("raise", type(exc), str(exc), own)


def test_methods_are_compiled_and_the_class_is_python(mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    mod, _ = mods
    for name in [*NAMES, "__init__", "__repr__", "__len__", "depth"]:
        assert type(mod.Base.__dict__[name]).__name__ == "compiled_function", name
    assert type(mod.Base) is type and type(mod.Base.__dict__["pair"]) is staticmethod
    assert type(mod.Base.__dict__["__new__"]) is staticmethod  # as type.__new__ makes it of a def
    assert type(mod.Base.__dict__["__init_subclass__"]) is classmethod
    assert mod.Child.registered == {"flag": 1}


SHAPES: list[Any] = [  # (module, method name, x, a) -> the call
    lambda m, name, x, a: getattr(m.Base(x), name)(a),
    lambda m, name, x, a: getattr(m.Base, name)(m.Base(x, a), a),
    lambda m, name, x, a: getattr(m.Child(a, x), name)(x),
    lambda m, name, x, a: functools.partial(getattr(m.Base, name), m.Base(a))(x),
]


@pytest.mark.parametrize("name", NAMES)
def test_same_as_the_def(mods: tuple[types.ModuleType, types.ModuleType], name: str) -> None:
    """Through the instance, the class, a subclass, getattr and functools.partial, with many values."""
    mod, py = mods
    checked = 0
    for x, a in itertools.product(VALUES[:40], VALUES[:40]):
        for shape in SHAPES:
            got = outcome(functools.partial(shape, mod, name, x, a))
            want = outcome(functools.partial(shape, py, name, x, a))
            assert got == want, (name, x, a)
            checked += 1
    assert checked > 1000


def _dunders(m: types.ModuleType, x: Any, y: Any) -> list[Any]:
    p, q = m.Base(x, y), m.Base(y, x)
    calls: list[Any] = [
        lambda: repr(p), lambda: p == q, lambda: p == m.Base(x, y), lambda: hash(p) == hash(m.Base(x, y)),
        lambda: len(p), lambda: list(p), lambda: p[1], lambda: repr(p + q), lambda: p < q, lambda: bool(p),
        lambda: sorted([p, q])[0].x, lambda: p.total, lambda: m.Base.pair(x), lambda: p.pair(x, y),
        lambda: repr(m.Child.make(x)), lambda: p.cached(y), lambda: p.tag, lambda: repr(m.Child(x)),
    ]
    return [outcome(c) for c in calls]


def test_dunder_slots(mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    mod, py = mods
    for x, y in itertools.product([1, "ab", [1, 2], 0, 2.5, None], repeat=2):
        assert _dunders(mod, x, y) == _dunders(py, x, y), (x, y)


def test_function_attributes_and_signature(mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    mod, py = mods
    for name in ["combine", "__init__", "secret", "__repr__"]:
        got, want = getattr(mod.Base, name), getattr(py.Base, name)
        assert (got.__name__, got.__qualname__, got.__doc__) == (want.__name__, want.__qualname__, want.__doc__)
        assert str(inspect.signature(got)) == str(inspect.signature(want))
        assert got.__module__ == mod.__name__
        assert got.__defaults__ == want.__defaults__ and got.__kwdefaults__ == want.__kwdefaults__
    p = mod.Base(1)
    assert p.combine.__self__ is p and p.combine.__func__ is mod.Base.combine
    assert mod.Base.__dict__["combine"].__get__(None, mod.Base) is mod.Base.combine
    assert repr(mod.Base.combine).startswith("<function Base.combine at ")
    assert pickle.loads(pickle.dumps(mod.Base.combine)) is mod.Base.combine


def test_call_shapes_and_arity_errors(mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    mod, py = mods
    shapes: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        ((), {}), ((1,), {}), ((1, 2, 3, 4), {}), ((1,), {"k": 5, "z": 6}), ((), {"a": 1}),
        ((1,), {"a": 2}), ((1,), {"b": 3}), ((1, 2), {"b": 3}), ((), {"self": 1, "a": 2}),
    ]
    calls: list[Any] = [
        lambda m, args, kwargs: m.Base(7).combine(*args, **kwargs),
        lambda m, args, kwargs: m.Base.combine(*args, **kwargs),
        lambda m, args, kwargs: m.Base(*args, **kwargs).x,
        lambda m, args, kwargs: m.Base.pair(*args, **kwargs),
    ]
    for (args, kwargs), call in itertools.product(shapes, calls):
        got = outcome(functools.partial(call, mod, args, kwargs))
        assert got == outcome(functools.partial(call, py, args, kwargs)), (args, kwargs)


def test_pickled_instances_are_the_same_class(mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    mod, py = mods
    for m in (mod, py):
        p = m.Child(3, 4)
        q = pickle.loads(pickle.dumps(p))
        assert type(q) is m.Child and q == p and q.arith(2) == p.arith(2)


def test_recursion_is_counted(mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    mod, py = mods
    assert mod.Base(1).depth(300) == py.Base(1).depth(300) == 300
    got = outcome(lambda: mod.Base(1).depth(sys.getrecursionlimit() * 2))
    assert got[1] is RecursionError and got[2].startswith("maximum recursion depth exceeded")


def test_traceback_names_the_method(mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    mod, py = mods
    got, want = outcome(lambda: mod.Child(5).call_other(0)), outcome(lambda: py.Child(5).call_other(0))
    assert got == want
    got, want = outcome(lambda: mod.Base(5).fails(1)), outcome(lambda: py.Base(5).fails(1))
    line = SOURCE.splitlines().index("        return t[a]") + 1
    assert got == want and got[3] == [("fails", line)]


def _growth(call: Any, probe: Any) -> int:
    before = sys.getrefcount(probe)
    for _ in range(30):
        try:
            result = call()
        except Exception:  # noqa: BLE001 - error paths must not leak either
            result = None
        del result
    return sys.getrefcount(probe) - before


def _probe_calls(m: types.ModuleType, probe: Any) -> list[Any]:
    p = m.Base(probe, probe)
    return [
        lambda: p.combine(probe, probe, probe, k=probe, z=probe), lambda: p.arith(probe),
        lambda: m.Base.secret(p, probe), lambda: p.fails(probe), lambda: repr(p), lambda: list(p),
    ]


def test_reference_counts(mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    mod, py = mods
    gc.disable()
    try:
        for m_probe in ([1, 2], object(), "refcount-probe", (1, 2)):
            growth = []
            for m in (mod, py):
                growth.append([_growth(c, m_probe) for c in _probe_calls(m, m_probe)])
            assert growth[0] == growth[1], m_probe
    finally:
        gc.enable()


@pytest.mark.parametrize(("body", "code", "text"), [
    ("    fn m(self):\n        return [super().m() for _ in self]\n", "PM317", "need the class cell"),
    ("    fn m(*args):\n        return super()\n", "PM317", "need the class cell"),
    ("    fn m(self):\n        s = super\n        return s()\n", "PM317", "need the class cell"),
    ("    fn m(self):\n        yield 1\n", "PM305", "is a generator (`yield`)"),
])
def test_refused_with_a_hint(body: str, code: str, text: str) -> None:
    with pytest.raises(CompileError) as info:
        compiled("class C:\n" + body, "refused.pys")
    assert [d.code for d in info.value.diagnostics] == [code] and text in info.value.diagnostics[0].message


def test_metaclass_is_refused() -> None:
    with pytest.raises(CompileError) as info:
        compiled("class C(metaclass=type):\n    fn m(self):\n        return 1\n", "meta.pys")
    assert info.value.diagnostics[0].code == "PM315" and "metaclass" in info.value.diagnostics[0].message


def test_nested_class_method_is_misplaced() -> None:
    with pytest.raises(CompileError) as info:
        compiled("def f():\n    class C:\n        fn m(self):\n            return 1\n    return C\n", "nested.pys")
    assert info.value.diagnostics[0].code == "PM315"


def test_the_probe_asks_the_checker() -> None:
    """The probe's verdict on a method's upgrade is the checker's: a method it accepts compiles and runs
    as the def; one it refuses carries the checker's code."""
    source = (
        "class C:\n    def ok(self, a=1):\n        return self.__x if a else a\n"
        "    def sup(self):\n        return [super().sup() for _ in self]\n"
        "def f():\n    class D:\n        def m(self):\n            return 1\n    return D\n"
    )
    tree = ast.parse(source)
    ok, sup, nested = (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name != "f")
    assert method_diagnostics(ok, tree) == []
    assert [d.code for d in method_diagnostics(sup, tree)] == ["PM317"]
    assert [d.code for d in method_diagnostics(nested, tree)] == ["PM315"]
    mod = compiled(source.replace("    def ok", "    fn ok"), "probe_ok.pys")
    assert type(mod.C.__dict__["ok"]).__name__ == "compiled_function"
    c = mod.C()
    c._C__x = 5
    assert (c.ok(), c.ok(0)) == (5, 0)


SUPER = '''
class A:
    fn m(self, x):
        return ("A", x)

    fn who(self):
        return (__class__.__name__, type(self).__name__)

    @classmethod
    fn make(cls, x):
        return ("A.make", cls.__name__, x)


class Mixin(A):
    fn m(self, x):
        return ("Mixin", super().m(x * 2))


class B(Mixin, A):
    fn m(self, x):
        r = super().m(x + 1)
        return ("B", r, __class__.__name__, [__class__.__name__ for _ in range(2)], super().who())

    @classmethod
    fn make(cls, x):
        return ("B.make", super().make(x))

    fn rebound(self, x):
        self = x
        return super().m(1)

    fn early(self):
        return super().m(0)

    fn early_class(self):
        return __class__

    try:
        early(None)
    except RuntimeError as exc:
        EARLY = str(exc)
    try:
        early_class(None)
    except NameError as exc:
        EARLY_CLASS = str(exc)
'''


def test_zero_argument_super_and_class_cell() -> None:
    """super() and __class__ read the class cell the class body makes, as the def's; an empty cell (the
    method run inside its class body) raises the def's errors."""
    mod = compiled(SUPER, "super.pys")
    py = types.ModuleType("super_plain")
    exec(compile(plain_python(SUPER), "super.pys", "exec"), py.__dict__)
    assert type(mod.B.__dict__["m"]).__name__ == "compiled_function"
    assert (mod.B.EARLY, mod.B.EARLY_CLASS) == (py.B.EARLY, py.B.EARLY_CLASS)
    calls: list[Any] = [
        lambda m, x: m.B().m(x), lambda m, x: m.B.make(x), lambda m, x: m.B().rebound(x),
        lambda m, x: m.B().rebound(m.B()), lambda m, x: m.Mixin().m(x), lambda m, x: m.B().who(),
    ]
    for x, call in itertools.product(VALUES[:40], calls):
        assert outcome(functools.partial(call, mod, x)) == outcome(functools.partial(call, py, x)), x


FRAMEWORKS = '''
import enum, dataclasses, abc

class Color(enum.Enum):
    RED = 1
    GREEN = 2

    fn describe(self):
        return f"{self.name}={self.value}"

    @classmethod
    fn first(cls):
        return list(cls)[0]

@dataclasses.dataclass
class D:
    x: int

    fn double(self):
        return self.x * 2

class Abs(abc.ABC):
    @abc.abstractmethod
    fn need(self):
        pass

class Impl(Abs):
    fn need(self):
        return "ok"
'''


def _frameworks(m: types.ModuleType) -> list[Any]:
    calls: list[Any] = [
        lambda: repr(list(m.Color)), lambda: m.Color.RED.describe(), lambda: repr(m.Color.first()),
        lambda: m.D(3).double(), lambda: repr(m.D(3)), lambda: m.Abs(), lambda: m.Impl().need(), lambda: sorted(m.Abs.__abstractmethods__),
        lambda: [f.name for f in dataclasses.fields(m.D)],
    ]
    return [outcome(c) for c in calls]


def test_enum_dataclass_and_abc_classes() -> None:
    """Classes whose metaclass or decorator reads the class namespace (an Enum's member dict, a
    dataclass, ABCMeta's abstract methods) treat a compiled method as they treat the def."""
    mod = compiled(FRAMEWORKS, "frameworks.pys")
    sys.modules[mod.__name__] = mod  # a dataclass resolves string annotations through its module
    py = types.ModuleType("frameworks_plain")
    sys.modules[py.__name__] = py
    exec(compile(plain_python(FRAMEWORKS), "frameworks.pys", "exec"), py.__dict__)
    got, want = _frameworks(mod), _frameworks(py)
    assert got == want
    assert [g[0] for g in got] == ["ok"] * 5 + ["raise"] + ["ok"] * 3


PROPERTY = '''
class P:
    fn __init__(self):
        self._x = 0

    @property
    fn x(self):
        "the x"
        return self._x

    @x.setter
    fn x(self, v):
        if v < 0:
            raise ValueError("negative")
        self._x = v
'''


def _property(m: types.ModuleType, v: Any) -> list[Any]:
    p = m.P()
    return [outcome(lambda: setattr(p, "x", v)), outcome(lambda: p.x), m.P.x.__doc__,
            m.P.x.fget.__qualname__, m.P.x.fset.__qualname__]


def test_property_getter_and_setter_of_one_name() -> None:
    """Two fn methods of one name (a property's getter and setter): one compiled object each, both
    with the def's qualname; the setter's error and traceback entry are the def's."""
    mod = compiled(PROPERTY, "prop.pys")
    py = types.ModuleType("prop_plain")
    exec(compile(plain_python(PROPERTY), "prop.pys", "exec"), py.__dict__)
    assert type(mod.P.x.fset).__name__ == type(mod.P.x.fget).__name__ == "compiled_function"
    for v in (5, -1, 0, 2.5):
        assert _property(mod, v) == _property(py, v), v
