"""Verification: an annotation that would add a mypy error is dropped; the error count never rises."""

from __future__ import annotations

import libcst as cst

from pymigrate.migrate.annotate import annotate_module
from pymigrate.migrate.infer import FunctionTypes, infer_package
from pymigrate.migrate.infer.mypy_filter import new_errors
from pymigrate.migrate.infer.package import load_modules
from pymigrate.migrate.infer.static import error_lines, run_mypy

SOURCE = """
def size(x=None):
    return len(x)


def first(items):
    return items[0]


def main() -> int:
    return size([1, 2]) + first([3])
"""


def _annotated_errors(files, types) -> list[str]:  # type: ignore[no-untyped-def]
    texts = {p: annotate_module(cst.parse_module(p.read_text()), types.for_file(p)).code for p in files}
    from pymigrate.migrate.infer.package import module_from_text
    return error_lines(run_mypy([module_from_text(m, texts[m.path]) for m in load_modules(files)]))


def test_naive_annotation_adds_error_and_verification_drops_it(make_package) -> None:  # type: ignore[no-untyped-def]
    files = make_package({"m.py": SOURCE})
    baseline = error_lines(run_mypy(load_modules(files)))
    assert baseline == []
    naive = infer_package(files, root=files[0].parent, target_version=(3, 11), verify=False)
    assert naive.for_file(files[1]).functions["size"] == FunctionTypes({"x": "Sequence[int] | None"}, "int")
    naive_errors = _annotated_errors(files, naive)
    assert len(naive_errors) == 1 and 'Argument 1 to "len" has incompatible type "Sequence[int] | None"' in naive_errors[0]

    checked = infer_package(files, root=files[0].parent, target_version=(3, 11))
    fns = checked.for_file(files[1]).functions
    assert fns["size"] == FunctionTypes({}, "int")                      # x dropped, the return kept
    assert fns["first"] == FunctionTypes({"items": "Sequence[_T]"}, "_T")     # only indexed: any Sequence
    assert _annotated_errors(files, checked) == []


def test_new_errors_match_by_message_not_line() -> None:
    base = ["a.py:3: error: X  [misc]", "a.py:9: error: Y  [misc]"]
    after = ["a.py:4: error: X  [misc]", "a.py:10: error: Y  [misc]", "a.py:12: error: Z  [misc]"]
    assert new_errors(base, after) == [("a.py", 12, "Z")]



def test_containers_of_many_kinds_fall_back_to_items_of_object(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The union of everything a run saw in a document refuses a caller's narrower one (a sampled trace
    misses shapes): the next candidate reads the items as object, which accepts every mapping."""
    from pymigrate.migrate.infer.engine import decide
    from pymigrate.migrate.infer.model import Facts, TypeRef
    from pymigrate.migrate.infer.usage import loosened

    path = tmp_path / "m.py"
    path.write_text("def get(d, key):\n    return d.get(key)\n")
    modules = load_modules([path])
    s, i, when = TypeRef("builtins.str"), TypeRef("builtins.int"), TypeRef("datetime.datetime")
    seen = TypeRef("builtins.dict", (s, TypeRef("|", (i, s, when))))
    facts = Facts()
    facts.function("m", "get").add_param("d", "trace", seen)
    choices = decide(modules, facts)
    many = TypeRef("collections.abc.Mapping", (s, TypeRef("|", (i, s, when))))
    loose = TypeRef("collections.abc.Mapping", (s, TypeRef("builtins.object")))
    assert choices.params[("m", "get", "d")] == many
    assert choices.fallbacks[("m", "get", "d")][0] == loose
    # two kinds are a choice the author may have made: kept as they are
    assert loosened(TypeRef("builtins.dict", (s, TypeRef("|", (i, s))))) is None
    assert loosened(TypeRef("|", (seen, TypeRef("None")))) == TypeRef("|", (loose, TypeRef("None")))


def test_a_generic_return_falls_with_its_type_parameter() -> None:
    """``-> _T`` without a ``type[_T]`` parameter is a mypy error: retreating the parameter drops the return."""
    from pymigrate.migrate.infer.engine import Choices
    from pymigrate.migrate.infer.model import TypeRef

    var = TypeRef("m._T")
    choices = Choices(params={("m", "get", "kind"): TypeRef("builtins.type", (var,))},
                      returns={("m", "get"): TypeRef("|", (var, TypeRef("None"))),
                               ("m", "other"): TypeRef("builtins.str")},
                      fallbacks={("m", "get", "kind"): [TypeRef("builtins.type", (TypeRef("builtins.str"),))]},
                      type_vars={"m._T"})
    choices.unbind_type_vars()
    assert ("m", "get") in choices.returns          # still bound by its parameter
    choices.retreat(("m", "get", "kind"))
    choices.unbind_type_vars()
    assert ("m", "get") not in choices.returns
    assert choices.returns == {("m", "other"): TypeRef("builtins.str")}


BLAMED = """
class A:
    def __init__(self, x):
        self.x = x


class B:
    def __init__(self, y):
        self.y = y


def make():
    return "a"


def build():
    return A(make())


class C(A):
    def __init__(self):
        super().__init__(make())


def pair(a, b, *rest):
    return a, b, rest


def use():
    return pair(1, make(), 3, 4)
"""


def test_blame_names_the_callee_and_the_calls_on_the_line_not_every_init(make_package) -> None:  # type: ignore[no-untyped-def]
    from pymigrate.migrate.infer.engine import Choices
    from pymigrate.migrate.infer.model import TypeRef
    from pymigrate.migrate.infer.mypy_filter import _blame

    files = make_package({"m.py": BLAMED})
    module = load_modules(files)[1]
    none, text = TypeRef("None"), TypeRef("builtins.str")
    choices = Choices(params={("pkg.m", "A.__init__", "x"): TypeRef("builtins.int")},
                      returns={("pkg.m", "A.__init__"): none, ("pkg.m", "B.__init__"): none,
                               ("pkg.m", "make"): text})
    line = module.source.splitlines().index("    return A(make())") + 1
    msg = 'Argument 1 to "A" has incompatible type "str"; expected "int"'
    assert _blame(choices, module, module, line, msg, "message") == {
        ("param", ("pkg.m", "A.__init__", "x")), ("return", ("pkg.m", "make"))}
    # the line calls __init__ by name: the message quotes it, yet no __init__ returns the value at fault
    line = module.source.splitlines().index("        super().__init__(make())") + 1
    msg = 'Argument 1 to "__init__" of "A" has incompatible type "str"; expected "int"'
    assert _blame(choices, module, module, line, msg, "message") == {
        ("param", ("pkg.m", "A.__init__", "x")), ("return", ("pkg.m", "make"))}


VALIDATED = """
class Version:
    def __init__(self, text):
        self.parts = text.split(".")


def singleton(version):
    if not isinstance(version, Version):
        version = Version(version)
    return version


singleton("1.0")
singleton(Version("2.0"))
"""


def test_an_object_tried_first_and_handed_on_is_blamed_not_the_callee(infer_module) -> None:  # type: ignore[no-untyped-def]
    """`version: object` (its first use checks its type) reaches `Version(version)`: the error is the
    object's, and Version's `text: str` stays."""
    functions = infer_module(VALIDATED)
    assert functions["Version.__init__"].params == {"text": "str"}
    assert functions["singleton"] == FunctionTypes({"version": "str | Version"}, "Version")


def test_blame_maps_an_argument_number_to_that_parameter(make_package) -> None:  # type: ignore[no-untyped-def]
    from pymigrate.migrate.infer.engine import Choices
    from pymigrate.migrate.infer.model import TypeRef
    from pymigrate.migrate.infer.mypy_filter import _blame, positional_parameters

    files = make_package({"m.py": BLAMED})
    modules = load_modules(files)
    module = modules[1]
    number = TypeRef("builtins.int")
    choices = Choices(params={("pkg.m", "pair", p): number for p in ("a", "b", "rest")})
    line = module.source.splitlines().index("    return pair(1, make(), 3, 4)") + 1
    for n, blamed in ((2, "b"), (4, "rest")):
        msg = f'Argument {n} to "pair" has incompatible type "str"; expected "int"'
        assert _blame(choices, module, module, line, msg, "message", positional_parameters(modules)) == {
            ("param", ("pkg.m", "pair", blamed))}


def test_a_build_checks_the_text_given_for_a_lone_module(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A package of one module (six.py): the candidate's text is what mypy checks, not the file on disk
    (mypy's native parser read the file when one module alone was parsed: verification saw no error)."""
    path = tmp_path / "cm.py"
    path.write_text('x: int = "s"\n')
    modules = load_modules([path])
    for fresh in (False, True):
        errors = error_lines(run_mypy(modules, {modules[0].path: "y: str = 1\n"}, (3, 11), fresh=fresh))
        assert errors == [f'{modules[0].path}:1: error: Incompatible types in assignment (expression has type '
                          f'"int", variable has type "str")  [assignment]']


CALLED = """
def add_metaclass(metaclass):
    def wrapper(cls):
        return metaclass(cls.__name__, cls.__bases__, dict(vars(cls)))
    return wrapper


def double(n):
    return n * 2


class Meta(type):
    pass


@add_metaclass(Meta)
class Base:
    pass


TWICE = double(21)
"""

# a caller of the API with its own metaclass and other values than the package passes
CALLER = """
from pkg.m import add_metaclass, double


class Meta(type):
    pass


class X:
    pass


Y = add_metaclass(Meta)(X)
word: str = double("ab")
"""


def test_callers_are_verified_with_the_package(make_package, mypy_errors) -> None:  # type: ignore[no-untyped-def]
    """The package's own uses say ``type[Meta]`` and ``int``; a caller's use refuses both: with the caller
    in verification nothing it refuses is written, and it type-checks against the annotated package as
    before (six's tests gained 9 errors from annotations its own module accepted)."""
    files = make_package({"m.py": CALLED})
    project = files[0].parent.parent
    (project / "caller.py").write_text(CALLER)
    alone = infer_package(files, root=project, target_version=(3, 11)).for_file(files[1]).functions
    assert alone["double"] == FunctionTypes({"n": "int"}, "int")
    assert alone["add_metaclass"] == FunctionTypes({"metaclass": '"type[Meta]"'}, None)
    assert mypy_errors(project, "caller.py") == []
    _write(files, infer_package(files, root=project, target_version=(3, 11)))
    assert [e.split(": error: ")[1].split(";")[0].split("  [")[0] for e in mypy_errors(project, "caller.py")] == [
        'Argument 1 to "add_metaclass" has incompatible type "type[caller.Meta]"',
        'Incompatible types in assignment (expression has type "int", variable has type "str")',
        'Argument 1 to "double" has incompatible type "str"']     # what verification without the caller writes
    (project / "pkg" / "m.py").write_text(CALLED.lstrip())

    types = infer_package(files, root=project, target_version=(3, 11), callers=[project / "caller.py"])
    fns = types.for_file(files[1]).functions
    assert "double" not in fns and "add_metaclass" not in fns
    assert fns["add_metaclass.<locals>.wrapper"] == FunctionTypes({}, '"Meta"')
    _write(files, types)
    assert mypy_errors(project, "caller.py") == []


def _write(files, types) -> None:  # type: ignore[no-untyped-def]
    for p in files:
        p.write_text(annotate_module(cst.parse_module(p.read_text()), types.for_file(p)).code)


def test_a_tolerated_caller_error_leaves_no_slack_for_a_package_error() -> None:
    """A caller's error no slot is blamed for is tolerated by (file, message), once per occurrence; it is
    not counted into the baseline, where, once gone, it would have let a new error of the package in
    (cachetools: +2 package errors)."""
    from pymigrate.migrate.infer.mypy_filter import _Checker

    checker = _Checker([], (3, 11), ["pkg/m.py:3: error: old  [misc]"])
    assert checker.tolerate([("pkg/m.py", 9, "new")]) is False      # the package's own: never tolerated
    checker.caller_paths = {"tests/t.py"}
    assert checker.tolerate([("tests/t.py", 5, "misuse"), ("pkg/m.py", 9, "new")]) is False
    assert checker.tolerate([("tests/t.py", 5, "misuse")]) is True
    errors = ["pkg/m.py:3: error: old  [misc]", "tests/t.py:7: error: misuse  [misc]",
              "tests/t.py:8: error: misuse  [misc]", "pkg/m.py:9: error: new  [misc]"]
    assert checker._untolerated(errors) == [errors[0], errors[2], errors[3]]
    assert checker.baseline == ["pkg/m.py:3: error: old  [misc]"]
