"""try/except/else/finally in the object tier against the def: the same source compiled and run by
CPython, called with values of many classes, compared call by call on the result, the exception
(class, message, cause, context, suppressed context), every traceback entry from the fn's on (names
and lines), what sys.exc_info() shows inside the handlers (seen through a def the fn calls) and the
arguments afterwards; reference counts after many calls, error paths included."""

from __future__ import annotations

import gc
import itertools
import sys
import types
from typing import Any

import pytest
from test_tir_object_tier import VALUES, _compare_growth, compare_on_pairs, compiled_and_plain, describe, fn_entries

SOURCE = '''
import sys

def seen():
    exc = sys.exc_info()[1]
    return None if exc is None else (type(exc).__name__, str(exc))

class CM:
    def __init__(self, v, swallow):
        self.v = v
        self.swallow = swallow
        self.log = []

    def __enter__(self):
        self.log.append(("enter", seen()))
        if self.v == "bad-enter":
            raise KeyError("enter")
        return self.v

    def __exit__(self, t, v, tb):
        self.log.append(("exit", t and t.__name__, v is not None and str(v), seen(), tb and tb.tb_lineno))
        if self.swallow == "raise":
            raise LookupError("exit")
        return self.swallow

fn basic(a: object, b: object) -> object:
    try:
        x = a + b
    except TypeError as e:
        return ("type", str(e), seen())
    except (ValueError, ArithmeticError):
        return ("value", seen())
    else:
        return ("ok", x, seen())

fn bare(a: object, b: object) -> object:
    try:
        r = a[b]
    except:
        r = seen()
    return (r, seen())

fn passes(a: object, b: object) -> object:
    try:
        return a.count(b)
    except AttributeError:
        pass
    except LookupError as e:
        return e
    return "after"

fn unbound_name(a: object, b: object) -> object:
    e = 1
    try:
        a + b
    except Exception as e:
        pass
    return e

fn reraise(a: object, b: object) -> object:
    try:
        return a // b
    except ZeroDivisionError:
        raise
    except TypeError as e:
        raise ValueError(str(e)) from e
    except ArithmeticError:
        raise KeyError(b)

fn in_handler(a: object, b: object) -> object:
    try:
        a - b
    except TypeError:
        return b - a
    return seen()

fn non_class(a: object, b: object) -> object:
    try:
        return a + 1
    except b:
        return "caught"

fn fin(a: object, b: object) -> object:
    log = []
    try:
        log.append(seen())
        x = a * b
        log.append(len(x))
    finally:
        log.append(seen())
        b = log
    return log

fn fin_return(a: object, b: object) -> object:
    try:
        return a + b
    finally:
        if a == 1:
            return "override"

fn fin_all(a: object, b: object) -> object:
    out = []
    for x in a:
        try:
            if x == b:
                break
            if x is None:
                continue
            out.append(10 // x)
        except ZeroDivisionError as e:
            out.append(seen())
            if b:
                continue
            return out
        else:
            out.append("else")
        finally:
            out.append(("fin", x))
    return out

fn nested(a: object, b: object) -> object:
    try:
        try:
            return a + b
        except TypeError:
            try:
                return b[a]
            except Exception:
                return (seen(), a.missing)
        finally:
            b = seen()
    except AttributeError as e:
        return ("outer", str(e), seen(), b)

fn handler_loop(a: object, b: object) -> object:
    n = 0
    while n < 3:
        n += 1
        try:
            raise ValueError(n)
        except ValueError as e:
            if a:
                break
            if b:
                continue
    return (n, seen())

fn base_exc(a: object, b: object) -> object:
    try:
        if a == 1:
            raise KeyboardInterrupt("k")
        if a == 2:
            raise SystemExit(b)
        return a + b
    except Exception:
        return "exception"

fn comp_in_try(a: object, b: object) -> object:
    try:
        return [x + b for x in a]
    except TypeError as e:
        return ("comp", str(e))

fn with_caught(a: object, b: object) -> object:
    cm = CM(a, b)
    r = None
    try:
        with cm as v:
            r = v + 1
    except BaseException as e:
        return ("raised", type(e), str(e), type(e.__context__), cm.log)
    return (r, cm.log, seen())

fn with_raw(a: object, b: object) -> object:
    with CM(a, b) as v:
        for x in v:
            if x == 2:
                return x
            if x is None:
                break
            if x == 1:
                continue
            x = x + v
    return v

fn with_two(a: object, b: object) -> object:
    first = CM(a, b)
    with first as p, CM(b, a) as q:
        r = p * q
    return (r, first.log)

fn with_plain(a: object, b: object) -> object:
    with a:
        return b

fn param_as(a: object, b: object) -> object:
    try:
        a + b
    except TypeError as a:
        pass
    if b:
        return a
    return b

fn fin_over(a: object, b: object) -> object:
    try:
        raise ValueError(a)
    finally:
        if b:
            return b

fn multi_line(a: object, b: object) -> object:
    with (
        CM(a, b)
    ) as x:
        return (x,
                b + 1)

fn suppress(a: object, b: object) -> object:
    for x in a:
        try:
            raise ValueError(x)
        finally:
            if x == b:
                break
    return "done"
'''

NAMES = [line.split("(")[0][3:] for line in SOURCE.splitlines() if line.startswith("fn ")]


def chain(exc: BaseException | None, depth: int = 0) -> Any:
    if exc is None or depth > 4:
        return None
    return (type(exc), str(exc), exc.__suppress_context__, chain(exc.__cause__, depth + 1),
            chain(exc.__context__, depth + 1))


def run(fn: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """The call's outcome: the result or the exception with its cause and context chain and the
    traceback from the fn's entry on, then the arguments afterwards."""
    try:
        result = fn(*args)
    except BaseException as exc:  # noqa: BLE001 - the exception is what is compared
        return ("raise", chain(exc), fn_entries(exc, fn.__name__), [describe(a) for a in args])
    return ("ok", describe(result), [describe(a) for a in args])


@pytest.fixture(scope="module")
def mods() -> tuple[types.ModuleType, types.ModuleType]:
    mod, py = compiled_and_plain(SOURCE, "trytier.pys")
    assert all(type(getattr(mod, name)).__name__ == "compiled_function" for name in NAMES)
    return mod, py


EXTRA: list[Any] = [[0, 1, None, 2], [None, 0], TypeError, (ValueError, KeyError), (1, ValueError), ZeroDivisionError,
                    "raise", "bad-enter"]


@pytest.mark.parametrize("name", NAMES)
def test_same_as_python(mods: tuple[types.ModuleType, types.ModuleType], name: str) -> None:
    mod, py = mods
    pairs = [(a, b) for a, b in itertools.product(VALUES + EXTRA, repeat=2)
             if not (isinstance(a, int) and isinstance(b, int) and (abs(a) > 64 or abs(b) > 64))]
    assert compare_on_pairs(mod, py, name, pairs, run) > 1000


def test_handled_exception_is_restored(mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    """A caller's handled exception is the one sys.exc_info() shows again after the fn's handler."""
    mod, py = mods
    for m in (mod, py):
        try:
            raise LookupError("outer")
        except LookupError:
            assert m.handler_loop(0, 0) == (3, ("LookupError", "outer"))
            assert m.basic(1, "x")[2] == ("TypeError", "unsupported operand type(s) for +: 'int' and 'str'")
            assert m.seen() == ("LookupError", "outer")


def test_reference_counts_are_unchanged(mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    mod, py = mods
    values = [object(), "refcount-probe", [1, 2, 3], (1, 2), 2**80, ValueError, 0, [0, None, 1]]
    gc.disable()
    try:
        _compare_growth(mod, py, values, [n for n in NAMES if n != "base_exc"])
    finally:
        gc.enable()


LIVE = '''
class Tracked(Exception):
    alive = 0

    def __init__(self, *args):
        super().__init__(*args)
        Tracked.alive += 1

    def __del__(self):
        Tracked.alive -= 1

class Quiet:
    def __enter__(self):
        return self

    def __exit__(self, t, v, tb):
        return t is Tracked

fn caught(a: object, b: object) -> object:
    try:
        raise Tracked(a)
    except Tracked as e:
        if b:
            raise
        return str(e)

fn through(a: object, b: object) -> object:
    for x in a:
        try:
            try:
                raise Tracked(x)
            finally:
                if b:
                    continue
        except LookupError:
            pass
    return a

fn swallowed(a: object, b: object) -> object:
    with Quiet():
        raise Tracked(a) from Tracked(b)
    return b
'''


def test_caught_exceptions_are_released() -> None:
    """No exception object stays alive after the calls (no collection runs): each one raised and
    caught, re-raised, dropped by a finally's `continue` or swallowed by __exit__ is released, as under
    the def."""
    mod, py = compiled_and_plain(LIVE, "live.pys")
    gc.disable()
    try:
        for m in (mod, py):
            for name, args in (("caught", (1, 0)), ("caught", (1, 1)), ("through", ([1, 2], 1)),
                               ("through", ([1], 0)), ("swallowed", (1, 2))):
                for _ in range(20):
                    try:
                        getattr(m, name)(*args)
                    except Exception as exc:  # noqa: BLE001 - released below
                        exc.__traceback__ = None
                        del exc
                assert m.Tracked.alive == 0, (m, name, args)
    finally:
        gc.enable()


def test_a_generator_keeps_its_own_handled_exception(mods: tuple[types.ModuleType, types.ModuleType]) -> None:
    """The handled exception is saved and restored on the running frame's own stack item, as ceval
    does: called from a generator resumed inside a caller's handler, the fn leaves the generator's
    item as it found it, so the generator resumed later outside any handler sees none."""

    def gen(fn: Any) -> Any:
        yield fn(1, "x")
        yield sys.exc_info()[1]

    for m in mods:
        g = gen(m.basic)
        try:
            raise LookupError("outer")
        except LookupError:
            assert next(g)[0] == "type"
        assert next(g) is None, m
