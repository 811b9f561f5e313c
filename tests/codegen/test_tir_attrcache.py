"""The object tier's per-site attribute caches (tir/attrcache.py) against CPython: each scenario warms
the sites of a compiled module and of the same source run by CPython on the same kind of objects,
then changes what the cache remembered (a class attribute, method or descriptor added, replaced or
removed, `__class__` assigned, `__getattr__`/`__getattribute__`/`__setattr__` defined, the instance
`__dict__` made or written, slots deleted, subclass instances with their own key order, modules and
classes as receivers, many types through one site) and compares every outcome, exception and
reference count with CPython's. The CPython 3.11 layouts the cache reads are checked on live objects."""

from __future__ import annotations

import ctypes
import sys
import types
from typing import Any, Callable

import pytest
from test_tir_object_tier import compiled_and_plain

from pymigrate.codegen.tir import attrcache as ac
from pymigrate.codegen.tir import tir_text
from pymigrate.codegen.tir.runtime import DICT_VERSION_TAG, TP_FLAGS

SOURCE = '''
fn get(o: object) -> object:
    return o.x

fn put(o: object, v: object) -> object:
    o.x = v
    return None

fn put2(o: object, v: object) -> object:
    o.y = v
    o.z = (v, o.y)
    return o.z

fn bump(o: object) -> object:
    o.x += 1
    return o.x

fn drop(o: object) -> object:
    del o.x
    return None

fn label(o: object) -> object:
    return o.label

fn relabel(o: object, v: object) -> object:
    o.label = v
    return None

fn klass(o: object) -> object:
    return o.K

fn call(o: object, k: object) -> object:
    return o.m(k)

fn slot(o: object, v: object) -> object:
    o.a = v
    return (o.a, o.b)

fn dunders(o: object) -> object:
    return (o.__class__, len(o.__dict__) > 0, o.__doc__)

fn loop(items: object) -> object:
    total = 0
    for o in items:
        total += o.x
        o.x = o.x + 1
        total += o.m(1)
    return total
'''


@pytest.fixture(scope="module")
def mods() -> tuple[types.ModuleType, types.ModuleType]:
    return compiled_and_plain(SOURCE, "attrcache.pys")


def attempt(fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # noqa: BLE001 - the exception is what is compared
        return ("raise", type(exc).__name__, str(exc))


def _base() -> type:
    class C:
        K = "class K"

        def __init__(self, x: Any) -> None:
            self.x = x

        def m(self, k: Any) -> Any:
            return ("C.m", self.x, k)

    return C


def class_changed(m: Any) -> list[Any]:
    C = _base()
    o = C(1)
    out = [attempt(m.get, o), attempt(m.klass, o), attempt(m.call, o, 2)]
    C.K = "new K"
    C.m = lambda self, k: ("patched", k)
    out += [attempt(m.get, o), attempt(m.klass, o), attempt(m.call, o, 3)]
    C.x = property(lambda self: "property x")  # a data descriptor now comes before the instance's x
    out += [attempt(m.get, o), attempt(m.put, o, 5), attempt(m.bump, o)]
    del C.x
    out += [attempt(m.get, o), attempt(m.bump, o), attempt(m.put, o, 9), attempt(m.get, o)]
    del C.K
    out += [attempt(m.klass, o)]
    C.K = staticmethod(len)
    out += [attempt(m.klass, o)]
    return out


def descriptor_added(m: Any) -> list[Any]:
    C = _base()
    o = C(1)
    out = [attempt(m.get, o), attempt(m.klass, o)]

    class NonData:
        def __get__(self, obj: Any, typ: Any) -> Any:
            return ("NonData.get", obj is None)

    class Data(NonData):
        def __set__(self, obj: Any, value: Any) -> None:
            raise KeyError(("Data.set", value))

    C.x = NonData()  # the instance's x still wins
    C.K = NonData()
    out += [attempt(m.get, o), attempt(m.klass, o), attempt(m.put, o, 2), attempt(m.get, o)]
    C.x = Data()
    out += [attempt(m.get, o), attempt(m.put, o, 3), attempt(m.bump, o), attempt(m.drop, o)]
    return out


def properties_raise(m: Any) -> list[Any]:
    class C:
        @property
        def x(self) -> Any:
            raise ValueError("x is broken")

        @x.setter
        def x(self, v: Any) -> None:
            raise TypeError(f"cannot set {v!r}")

        @property
        def K(self) -> Any:
            raise AttributeError("K hidden")

        def __getattr__(self, name: str) -> Any:
            return ("getattr", name)

    o = C()
    return [attempt(m.get, o), attempt(m.put, o, 1), attempt(m.klass, o), attempt(m.klass, o), attempt(m.call, o, 1)]


def class_assigned(m: Any) -> list[Any]:
    C = _base()

    class D:
        K = "D.K"

        def __init__(self) -> None:
            self.other = 0
            self.x = "D.x"

        def m(self, k: Any) -> Any:
            return ("D.m", k)

    o = C(1)
    out = [attempt(m.get, o), attempt(m.call, o, 1), attempt(m.bump, o), attempt(m.klass, o)]
    o.__class__ = D  # C's keys order: x; D's: other, x
    out += [attempt(m.get, o), attempt(m.call, o, 1), attempt(m.bump, o), attempt(m.klass, o)]
    d = D()
    out += [attempt(m.get, d), attempt(m.put, d, 7), attempt(m.get, d)]
    d.__class__ = C
    out += [attempt(m.get, d), attempt(m.call, d, 2), attempt(m.put, d, 8), attempt(m.get, d), vars(d)]
    return out


def getattr_hooks(m: Any) -> list[Any]:
    C = _base()
    o = C(1)
    out = [attempt(m.get, o), attempt(m.klass, o), attempt(m.call, o, 1), attempt(m.put, o, 2)]
    C.__getattribute__ = lambda self, name: ("getattribute", name)
    out += [attempt(m.get, o), attempt(m.klass, o), attempt(m.call, o, 1)]
    del C.__getattribute__
    del o.x
    out += [attempt(m.get, o)]
    C.__getattr__ = lambda self, name: ("getattr", name)
    out += [attempt(m.get, o), attempt(m.klass, o)]
    C.__setattr__ = lambda self, name, v: object.__setattr__(self, name, ("setattr", v))
    out += [attempt(m.put, o, 3), attempt(m.get, o), attempt(m.bump, o)]
    return out


def slots(m: Any) -> list[Any]:
    class S:
        __slots__ = ("a", "b")

        def __init__(self) -> None:
            self.b = "b"

    class T(S):  # a subclass with a dict as well
        x = "T.x"

    s, t = S(), T()
    out = [attempt(m.slot, s, 1), attempt(m.slot, s, 2), attempt(m.get, s), attempt(m.put, s, 1), attempt(m.klass, s)]
    del s.b
    out += [attempt(m.slot, s, 3)]
    out += [attempt(m.slot, t, 4), attempt(m.get, t), attempt(m.put, t, 5), attempt(m.get, t), attempt(m.bump, t)]
    S.a = property(lambda self: "no longer a slot")
    out += [attempt(m.slot, t, 6), attempt(m.slot, s, 6)]
    return out


def subclasses(m: Any) -> list[Any]:
    C = _base()

    class Sub(C):
        def __init__(self) -> None:
            self.y = 1
            self.x = "Sub.x"

    class Sub2(Sub):
        K = "Sub2.K"

        def m(self, k: Any) -> Any:
            return ("Sub2.m", k)

    objs = [C(1), Sub(), Sub2(), C(2), Sub2()]
    out = [[attempt(f, o) for o in objs] for f in (m.get, m.klass, m.bump)]
    out += [[attempt(m.call, o, 1) for o in objs]]
    Sub.m = lambda self, k: ("Sub.m", k)
    out += [[attempt(m.call, o, 2) for o in objs]]
    return out


def instance_dicts(m: Any) -> list[Any]:
    C = _base()
    o, p, q = C(1), C(2), C(3)
    out = [attempt(m.get, o), attempt(m.klass, o), attempt(m.call, o, 1)]
    o.__dict__["K"] = "instance K"  # materialised dict
    o.__dict__["m"] = lambda k: ("instance m", k)
    out += [attempt(m.get, o), attempt(m.klass, o), attempt(m.call, o, 1), attempt(m.bump, o)]
    out += [attempt(m.klass, p), attempt(m.call, p, 1)]
    setattr(p, "".join(["K"]), "shadow K")  # a new shared key
    p.m = lambda k: ("p.m", k)
    out += [attempt(m.klass, p), attempt(m.call, p, 2), attempt(m.klass, q), attempt(m.call, q, 2)]
    key = "".join(["x"])  # an equal str that is not the interned name
    q.__dict__[key] = "not interned"
    out += [attempt(m.get, q), attempt(m.put, q, 4), attempt(m.get, q)]
    r = C(5)
    del r.x
    out += [attempt(m.get, r), attempt(m.bump, r), attempt(m.put, r, 6), attempt(m.get, r), attempt(m.drop, r),
            attempt(m.drop, r), attempt(m.get, r)]
    C = _base()  # its shared keys hold x only
    combined = C(6)
    out += [attempt(m.klass, combined), attempt(m.call, combined, 1)]
    combined.__dict__[0] = 0  # a key that is not a str: the dict no longer shares the class's keys
    combined.__dict__["K"] = "combined K"
    combined.__dict__["m"] = lambda k: ("combined m", k)
    out += [attempt(m.klass, combined), attempt(m.call, combined, 1), attempt(m.klass, C(7)), attempt(m.call, C(7), 1)]

    class E:
        label = "E.label"

    e = E()
    e.__dict__["".join(["lab", "el"])] = "e.label"  # the shared keys gain a label that is not the interned name
    f, g = E(), E()
    out += [attempt(m.label, f), attempt(m.label, e), attempt(m.label, f)]
    g.label = "g.label"  # stored under the keys' own label: no new key
    out += [attempt(m.label, g), attempt(m.label, f), attempt(m.relabel, f, "f.label"), attempt(m.label, f)]
    return out


def other_receivers(m: Any) -> list[Any]:
    mod = types.ModuleType("receiver")
    mod.x, mod.K = 1, 2
    mod.m = lambda k: ("module m", k)

    class Meta(type):
        K = "Meta.K"

    class Cls(metaclass=Meta):
        x = "Cls.x"

        @classmethod
        def m(cls, k: Any) -> Any:
            return ("classmethod", k)

    out = []
    for _ in range(3):
        out += [attempt(f, r) for f in (m.get, m.klass, m.bump) for r in (mod, Cls, 5, "s", None)]
        out += [attempt(m.call, r, 1) for r in (mod, Cls, 5)]
    return out


def modules(m: Any) -> list[Any]:
    """A module's attributes while its dict is unchanged, and again after each change."""
    mod, other = types.ModuleType("receiver", "doc"), types.ModuleType("other")
    mod.x, mod.K = 1, 2
    mod.m = lambda k: ("module m", k)
    other.x = "other x"
    out = []
    for _ in range(2):
        out += [attempt(m.get, mod), attempt(m.klass, mod), attempt(m.call, mod, 1), attempt(m.get, other)]
    mod.x = 10
    mod.m = lambda k: ("new m", k)
    out += [attempt(m.get, mod), attempt(m.call, mod, 2), attempt(m.bump, mod), attempt(m.get, mod)]
    del mod.x
    out += [attempt(m.get, mod), attempt(m.get, other), attempt(m.get, mod)]
    mod.__getattr__ = lambda name: ("module __getattr__", name)
    out += [attempt(m.get, mod), attempt(m.klass, mod), attempt(m.call, mod, 3)]
    mod.__dict__[1] = "not a str key"
    mod.x = "back"
    out += [attempt(m.get, mod), attempt(m.get, mod), attempt(m.drop, mod), attempt(m.get, mod)]
    mod.__class__ = type("SubModule", (types.ModuleType,), {"x": property(lambda self: "property x")})
    out += [attempt(m.get, mod), attempt(m.klass, mod)]
    other.__dict__["__class__"] = "in the dict"  # the type's data descriptor still comes first
    out += [attempt(m.dunders, r) for r in (other, other, mod, types)]
    return out


def class_defaults(m: Any) -> list[Any]:
    """A class attribute as a default some instances override (the site looks again when the shared
    keys gain the name), and methods some instances shadow."""
    class D:
        K = "default K"

        def m(self, k: Any) -> Any:
            return ("D.m", k)

    objs = [D() for _ in range(6)]
    out = [[attempt(m.klass, o), attempt(m.call, o, 0)] for o in objs]
    objs[2].K = "own K"
    objs[4].m = lambda k: ("own m", k)
    for _ in range(2):
        out += [[attempt(m.klass, o), attempt(m.call, o, 1)] for o in objs]
    del objs[2].K, objs[4].m
    out += [[attempt(m.klass, o), attempt(m.call, o, 2)] for o in objs]
    return out


def new_attributes(m: Any) -> list[Any]:
    """Attributes set for the first time on an instance join its dict's insertion order as CPython's
    (vars() compared as ordered items), around deletions and a full set of shared keys."""
    class C:
        pass

    out: list[Any] = []
    for order in range(8):
        o = C()
        if order % 2:
            m.relabel(o, "label")
        out.append(attempt(m.put, o, order))
        out.append(attempt(m.put2, o, "yz"))
        if order % 3 == 0:
            out += [attempt(m.drop, o), attempt(m.put, o, "again"), attempt(m.relabel, o, "late")]
        out += [list(vars(o).items()), attempt(m.get, o), attempt(m.label, o)]
    crowded = C()
    for i in range(40):  # more names than the shared keys hold: the instance gets its own dict
        setattr(crowded, f"a{i}", i)
    out += [attempt(m.put, crowded, 1), attempt(m.put2, crowded, 2), list(vars(crowded).items())]
    later = C()
    out += [attempt(m.put2, later, 3), attempt(m.put, later, 4), list(vars(later).items())]
    return out


def many_types(m: Any) -> list[Any]:
    """More types through one site than it refills for: every call still CPython's answer."""
    out = []
    classes = [type(f"T{i}", (), {"K": i, "m": lambda self, k, i=i: (i, k)}) for i in range(ac.MAX_FILLS + 20)]
    for _ in range(2):
        for cls in classes:
            o = cls()
            o.x = cls.__name__
            out += [attempt(m.get, o), attempt(m.klass, o), attempt(m.call, o, 1), attempt(m.bump, o)]
    items = [c() for c in classes[:5]]
    for i, o in enumerate(items):
        o.x = i
    out += [attempt(m.loop, items)]
    return out


SCENARIOS = [class_changed, descriptor_added, properties_raise, class_assigned, getattr_hooks, slots, subclasses,
             instance_dicts, other_receivers, modules, class_defaults, new_attributes, many_types]


def _normal(value: Any) -> Any:
    """Outcomes compared across the two modules: functions by their result, not their identity."""
    if isinstance(value, (list, tuple)):
        return type(value)(_normal(v) for v in value)
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if callable(value) or isinstance(value, (types.ModuleType, type)):
        return type(value).__name__
    return value


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_same_as_python(mods: tuple[types.ModuleType, types.ModuleType], scenario: Callable[[Any], list[Any]]) -> None:
    mod, py = mods
    for _ in range(2):  # the second round starts from warm sites
        assert _normal(scenario(mod)) == _normal(scenario(py))


def test_reference_counts(mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    """Hits hand out new references and release what a store replaces, as the C API calls do."""
    mod, _ = mods
    C = _base()
    value, klass_value = object(), object()
    C.K = klass_value
    o = C(value)
    before = sys.getrefcount(value), sys.getrefcount(klass_value), sys.getrefcount(C.m)
    for _ in range(1000):
        mod.get(o)
        mod.klass(o)
        mod.put(o, value)
        mod.call(o, 1)
    assert (sys.getrefcount(value), sys.getrefcount(klass_value), sys.getrefcount(C.m)) == before
    replaced = object()
    mod.put(o, replaced)
    mod.put(o, value)
    assert sys.getrefcount(replaced) == 2  # the local and getrefcount's argument


def test_the_ir_names_the_cached_calls() -> None:
    text = tir_text("get", "t.get", __import__("ast").parse("def get(o):\n    o.y = o.x\n    return o.m()\n").body[0])
    assert "pmo.attr.get(" in text and "pmo.attr.set(" in text


def _u(addr: int, typ: Any = ctypes.c_int64) -> int:
    return int(typ.from_address(addr).value)


def test_layouts_are_this_cpythons() -> None:
    """The offsets attrcache.py reads, on live objects of the running CPython."""
    assert sys.version_info[:2] == (3, 11)

    class C:
        def __init__(self) -> None:
            self.a, self.b = 1, "two"

    o = C()
    t = id(C)
    generic_get = ctypes.cast(ctypes.pythonapi.PyObject_GenericGetAttr, ctypes.c_void_p).value
    generic_set = ctypes.cast(ctypes.pythonapi.PyObject_GenericSetAttr, ctypes.c_void_p).value
    assert _u(t + ac.TP_GETATTRO) == generic_get and _u(t + ac.TP_SETATTRO) == generic_set
    assert _u(t + TP_FLAGS) == C.__flags__
    assert C.__flags__ & ac.FLAG_MANAGED_DICT and C.__flags__ & ac.FLAG_HEAPTYPE
    assert _u(t + ac.TP_DICTOFFSET) == C.__dictoffset__ != 0
    assert _u(id(int) + ac.TP_DICTOFFSET) == 0
    o.a  # noqa: B018 - a lookup gives the type a version tag
    tag = _u(t + ac.TP_VERSION_TAG, ctypes.c_uint32)
    C.z = 1
    assert tag != 0 and _u(t + ac.TP_VERSION_TAG, ctypes.c_uint32) == 0
    keys = _u(t + ac.HT_CACHED_KEYS)
    assert _u(keys + ac.DK_KIND, ctypes.c_uint8) == ac.DICT_KEYS_SPLIT and _u(keys + ac.DK_NENTRIES) == 2
    entries = keys + ac.DK_INDICES + (1 << _u(keys + ac.DK_LOG2_INDEX_BYTES, ctypes.c_uint8))
    assert [_u(entries + 16 * i) for i in range(2)] == [id("a"), id("b")]
    values = _u(id(o) + ac.MANAGED_VALUES)
    assert [_u(values + 8 * i) for i in range(2)] == [id(o.a), id(o.b)] and _u(id(o) + ac.MANAGED_DICT) == 0
    assert _u(id("a") + ac.STR_HASH) == hash("a")
    o.__dict__  # noqa: B018 - made now: the values go
    assert _u(id(o) + ac.MANAGED_VALUES) == 0 and _u(id(o) + ac.MANAGED_DICT) == id(o.__dict__)

    class S:
        __slots__ = ("p",)

    member = _u(id(S.__dict__["p"]) + ac.MEMBER_DEF)
    assert (_u(member + 8, ctypes.c_int32), _u(member + 16), _u(member + 24, ctypes.c_int32)) == (ac.T_OBJECT_EX, 16, 0)
    assert _u(id(type(S.p)) + ac.TP_DESCR_SET) != 0 and _u(id(types.FunctionType) + ac.TP_DESCR_SET) == 0
    assert _u(id(types.FunctionType) + ac.TP_DESCR_GET) != 0 and _u(id(int) + ac.TP_DESCR_GET) == 0
    assert _u(id(types.FunctionType) + TP_FLAGS) & ac.FLAG_METHOD_DESCRIPTOR
    mod = types.ModuleType("layout")
    d = _u(id(mod) + ac.MODULE_DICT)
    assert d == id(mod.__dict__) and _u(d + ac.DICT_KEYS) != 0
    assert _u(_u(d + ac.DICT_KEYS) + ac.DK_KIND, ctypes.c_uint8) == ac.DICT_KEYS_UNICODE
    tag = _u(d + DICT_VERSION_TAG)
    mod.y = 1
    assert _u(d + DICT_VERSION_TAG) > tag
