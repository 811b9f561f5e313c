"""The tracer on a small package with its own tests: recorded argument/return types become annotations."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from pymigrate.migrate.infer import FunctionTypes, infer_package
from pymigrate.migrate.infer.package import load_modules
from pymigrate.migrate.infer.trace import run_trace

SHAPES = '''
def area(w, h):
    return w * h


def label(name, sides=None):
    if sides is None:
        return name
    return f"{name}/{sides}"


def total(items):
    return sum(items)


def corners(n):
    for i in range(n):
        yield (i, i)


def letters(n):
    yield "a"
    yield from (str(i) for i in range(n))


class Dial:
    def __init__(self):
        self._at = 0

    @property
    def at(self):
        return self._at

    @at.setter
    def at(self, value):
        self._at = value
'''

TESTS = '''
import pytest
from calc.shapes import area, label, total, corners, Dial, letters


def test_all():
    assert area(2, 3) == 6
    assert area(1.5, 2.5) == 3.75
    assert label("sq") == "sq"
    assert label("tri", 3) == "tri/3"
    assert total([1, 2]) == 3
    assert list(corners(2)) == [(0, 0), (1, 1)]
    assert next(letters(2)) == "a"          # closed while suspended: leaves through its yield with None
    assert list(letters(2)) == ["a", "0", "1"]
    dial = Dial()
    dial.at = 2.5
    assert dial.at == 2.5
    with pytest.raises(TypeError):
        area("a", "b")          # raises: its argument types are not recorded
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "calc").mkdir()
    (tmp_path / "calc" / "__init__.py").write_text("")
    (tmp_path / "calc" / "shapes.py").write_text(SHAPES)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_shapes.py").write_text(textwrap.dedent(TESTS))
    return tmp_path


def command(project: Path) -> str:
    return f"PYTHONPATH={project}:$PYTHONPATH {sys.executable} -m pytest -q -p no:cacheprovider tests"


def test_tracer_records_types_of_normal_calls(project: Path) -> None:
    modules = load_modules([project / "calc" / "shapes.py"])
    facts = run_trace(command(project), project, modules)
    area = facts.functions[("calc.shapes", "area")]
    assert {t.name for t in area.params["w"]["trace"]} == {"builtins.int", "builtins.float"}
    assert {t.name for t in area.returns["trace"]} == {"builtins.int", "builtins.float"}
    # a setter shares its getter's qualname: its calls are recorded apart
    assert {t.name for t in facts.functions[("calc.shapes", "Dial.at@setter")].params["value"]["trace"]} == {
        "builtins.float"}
    assert {t.name for t in facts.functions[("calc.shapes", "Dial.at")].returns["trace"]} == {"builtins.float"}
    corners = facts.functions[("calc.shapes", "corners")]
    assert {str(t.to_json()) for t in corners.returns["trace-yield"]} == {
        "['builtins.tuple', 'builtins.int', 'builtins.int']"}


def test_traced_types_merge_into_annotations(project: Path) -> None:
    files = [project / "calc" / "__init__.py", project / "calc" / "shapes.py"]
    types = infer_package(files, root=project, trace_command=command(project), target_version=(3, 11),
                          trace_cwd=project)
    fns = types.for_file(files[1]).functions
    assert fns["area"] == FunctionTypes({"w": "float", "h": "float"}, "float")
    assert fns["label"] == FunctionTypes({"name": "str", "sides": "int | None"}, "str")
    assert fns["total"] == FunctionTypes({"items": "Iterable[int]"}, "int")
    assert fns["corners"] == FunctionTypes({"n": "int"}, "Iterator[tuple[int, int]]")
    # `yield from` leaves the items to the trace; the None a closed generator reports is not one of them
    assert fns["letters"] == FunctionTypes({"n": "int"}, "Iterator[str]")
    assert sorted(types.for_file(files[1]).imports) == ["from collections.abc import Iterable",
                                                       "from collections.abc import Iterator"]


RECORDS = '''
def get(d, key):
    value = d.get(key)
    if value is None:
        raise KeyError(key)
    return value


class Record:
    def __init__(self, name, size):
        self.name = name
        self.size = size

    @classmethod
    def from_dict(cls, d):
        return cls(get(d, "name"), get(d, "size"))


class SizedRecord(Record):
    pass
'''

RECORD_TESTS = '''
from calc.records import Record


def test_from_dict():
    r = Record.from_dict({"name": "a", "size": 3})
    assert (r.name, r.size) == ("a", 3)
'''


def traced_functions(root: Path, name: str, source: str, tests: str) -> dict[str, FunctionTypes]:
    """``calc/<name>.py`` with ``tests/test_<name>.py`` beside it, inferred with that test traced."""
    (root / "calc").mkdir()
    (root / "calc" / "__init__.py").write_text("")
    (root / "calc" / f"{name}.py").write_text(source)
    (root / "tests").mkdir()
    (root / "tests" / f"test_{name}.py").write_text(tests)
    files = [root / "calc" / "__init__.py", root / "calc" / f"{name}.py"]
    types = infer_package(files, root=root, trace_command=command(root), target_version=(3, 11), trace_cwd=root)
    return types.for_file(files[1]).functions


def test_seen_arguments_win_over_types_derived_from_a_generic_helper(tmp_path: Path) -> None:
    """`get` returns whatever the dict holds (str | int), yet `name` only ever received a str at run time."""
    fns = traced_functions(tmp_path, "records", RECORDS, RECORD_TESTS)
    assert fns["Record.__init__"].params == {"name": "str", "size": "int"}
    # `int | str` for get's return would make both calls in from_dict errors: no annotation without a
    # type variable fits, so that slot stays empty
    assert fns["get"] == FunctionTypes({"d": "Mapping[str, int | str]", "key": "str"}, None)
    assert fns["Record.from_dict"].returns == "Self"


ERRORS = '''
class ValidationError(Exception):
    def __init__(self, cause, context=None):
        if isinstance(cause, ValidationError):
            self.message = cause.message
        else:
            self.message = str(cause)
        self.context = context
'''

ERROR_TESTS = '''
from calc.errors import ValidationError


def test_causes():
    assert ValidationError("bad").message == "bad"
    assert ValidationError(Exception("worse")).message == "worse"
    assert ValidationError(ValidationError("inner"), context="k").message == "inner"
'''


def test_classes_only_seen_running_join_their_package_bases(tmp_path: Path) -> None:
    """`cause` saw a str, an Exception and a ValidationError. The package's classes are known with their
    bases before any is seen, so the three join as `Exception | str`; and the body sorts out what it gets
    without refusing anything (`str(cause)`), so the callers' types stand, not `object`."""
    fns = traced_functions(tmp_path, "errors", ERRORS, ERROR_TESTS)
    assert fns["ValidationError.__init__"].params == {"cause": "Exception | str", "context": "str | None"}


FILES = '''
def header(f):
    return f.read(4)


def is_lock(path):
    return path.name.endswith(".toml")
'''

FILE_TESTS = '''
import io
from pathlib import Path

from calc.files import header, is_lock


def test_files():
    assert header(io.BytesIO(b"abcdef")) == b"abcd"
    with open(__file__, "rb") as fh:
        assert len(header(fh)) == 4
    assert is_lock(Path("pylock.toml"))
'''


def test_run_time_classes_are_written_as_the_portable_types_they_stand_for(tmp_path: Path) -> None:
    """A file and a buffer seen for one parameter are the `IO[bytes]` both implement; the `PosixPath` that
    `Path(...)` builds here is written `Path` (a `WindowsPath` elsewhere)."""
    fns = traced_functions(tmp_path, "files", FILES, FILE_TESTS)
    assert fns["header"].params == {"f": "IO[bytes]"}
    assert fns["is_lock"] == FunctionTypes({"path": "Path"}, "bool")


COUNTS = '''
def doubled(x):
    return x * 2
'''

COUNT_TESTS = '''
from calc.counts import doubled


def test_many():
    for i in range(250):
        assert doubled(i) == 2 * i
    assert doubled("ab") == "abab"
'''


def test_a_rare_callers_classes_are_kept_past_the_sampling(tmp_path: Path) -> None:
    """After 200 calls only one in 16 is recorded, but a call whose argument classes no recorded call had
    (the 251st, with a str) is recorded anyway: sampling thins repeats, not kinds."""
    fns = traced_functions(tmp_path, "counts", COUNTS, COUNT_TESTS)
    assert fns["doubled"].params == {"x": "int | str"}


HOT = '''
def doubled(x):
    return x * 2


def counted(n):
    yield from range(n)
'''


def test_a_function_whose_types_are_known_is_sampled_sparsely(tmp_path: Path) -> None:
    """100,000 calls with ints: the first FULL_SAMPLES are recorded, then, the types known (no recorded call
    added one), one in SETTLED_EVERY; a str argument after them is still recorded (new argument classes
    always are), and a long generator's yields are sampled the same way."""
    import importlib.util
    import os
    from types import ModuleType

    from pymigrate.migrate.infer import tracer_runtime

    def load(name: str, path: Path) -> ModuleType:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    tracer = load("_tracer_under_test", Path(tracer_runtime.__file__))
    hot_path = tmp_path / "hot.py"
    hot_path.write_text(HOT, encoding="utf-8")
    hot = load("hot", hot_path)
    tracer._files.add(os.path.realpath(hot_path))
    calls = 100_000
    sys.setprofile(tracer._profile)
    try:
        for i in range(calls):
            hot.doubled(i)
        hot.doubled("ab")
        assert sum(1 for _ in hot.counted(calls)) == calls
    finally:
        sys.setprofile(None)
    data = tracer._data
    full, settled = tracer_runtime.FULL_SAMPLES, tracer_runtime.SETTLED_EVERY
    doubled = next(entry for (_, qualname, _), entry in data.items() if qualname == "doubled")
    assert doubled["params"]["x"] == {"builtins.int": full + calls // settled, "builtins.str": 1}
    assert doubled["returns"] == {"builtins.int": full + calls // settled, "builtins.str": 1}
    counted = next(entry for (_, qualname, _), entry in data.items() if qualname == "counted")
    assert counted["yields"] == {"builtins.int": full + calls // settled}
