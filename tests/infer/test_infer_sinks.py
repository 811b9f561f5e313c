"""Values stored into declared attributes and variables give their sources the declared type (sinks.py)."""

from __future__ import annotations

import ast
import textwrap

import libcst as cst

from pymigrate.migrate.annotate import annotate_module
from pymigrate.migrate.infer import FunctionTypes, infer_package
from pymigrate.migrate.infer.model import Facts, TypeRef
from pymigrate.migrate.infer.package import load_modules, module_from_text
from pymigrate.migrate.infer.sinks import local_bindings, sources
from pymigrate.migrate.infer.static import StaticCollector, error_lines, run_mypy

SINKS = """
from __future__ import annotations

from typing import Literal, Union

Atom = Union[tuple[str, str], list["Atom"]]
Suffix = tuple[int, int]


def validate_post(value):
    if value is None:
        return value
    if isinstance(value, int) and value >= 0:
        return ("post", value)
    raise ValueError(value)


def make_key(a, b):
    return (a, b)


def parse(text):
    return [("x", text)]


class Box:
    def __init__(self, n):
        self.n = n


class Version:
    _post: tuple[Literal["post"], int] | None
    _key: Suffix | None

    def __init__(self, post):
        value = validate_post(post) if post is not None else None
        self._post = value
        self._key = None
        self._box: Box | None = Box(1)

    def post(self):
        return self._post

    def key(self):
        if self._key is None:
            self._key = make_key(1, 2)
        return self._key


class Marker:
    def __init__(self, text):
        self._atoms: list[Atom] = []
        self._atoms = parse(text)

    @classmethod
    def from_atoms(cls, atoms):
        new = cls.__new__(cls)
        new._atoms = atoms
        return new


v = Version(3)
Version(None)
Marker("a")
"""


def _errors_after(files, types) -> list[str]:  # type: ignore[no-untyped-def]
    texts = {p: annotate_module(cst.parse_module(p.read_text()), types.for_file(p)).code for p in files}
    return error_lines(run_mypy([module_from_text(m, texts[m.path]) for m in load_modules(files)]))


def test_declared_targets_give_their_type_to_what_is_stored(make_package) -> None:  # type: ignore[no-untyped-def]
    files = make_package({"m.py": SINKS})
    assert error_lines(run_mypy(load_modules(files))) == []
    types = infer_package(files, root=files[0].parent, target_version=(3, 11))
    functions = types.for_file(files[1]).functions
    # through a local bound by a conditional expression; the Literal is kept as the author wrote it
    assert functions["validate_post"].returns == 'tuple[Literal["post"], int] | None'
    # a class called for the value: what its __init__ returns is not what is stored
    assert functions["Box.__init__"] == FunctionTypes({"n": "int"}, "None")
    facts = Facts()
    modules = load_modules(files)
    StaticCollector(run_mypy(modules), modules).collect(facts)
    assert "declared" not in facts.functions[("pkg.m", "Box.__init__")].returns
    assert facts.functions[("pkg.m", "make_key")].returns["declared"] == [TypeRef("|", (
        TypeRef("builtins.tuple", (TypeRef("builtins.int"), TypeRef("builtins.int"))), TypeRef("None")))]
    # a read of the declared attribute keeps its Literal too
    assert functions["Version.post"].returns == 'tuple[Literal["post"], int] | None'
    # the alias's name, without the None the attribute starts out with (make_key never returns None)
    assert functions["make_key"] == FunctionTypes({"a": "int", "b": "int"}, "Suffix")
    # a recursive alias has no expansion to infer: only its declaration names it
    assert functions["parse"] == FunctionTypes({"text": "str"}, "list[Atom]")
    # a parameter stored whole, into the attribute of an instance made with cls.__new__(cls)
    assert functions["Marker.from_atoms"].params == {"atoms": "list[Atom]"}
    assert _errors_after(files, types) == []


CONFLICT = """
class A:
    size: int

    def __init__(self, n):
        self.size = count(n)


class B:
    size: float

    def __init__(self, n):
        self.size = count(n)


def count(n):
    return len(n)


A([1])
B([2])
"""


def test_two_declared_types_for_one_value_give_no_guess(infer_module) -> None:  # type: ignore[no-untyped-def]
    functions = infer_module(CONFLICT)
    assert functions["count"].returns == "int"      # what the function returns, not float


NARROW = """
from __future__ import annotations

from collections.abc import Sequence
from typing import Union

Nested = Union[int, Sequence["Nested"]]


class Base:
    pass


class Child(Base):
    def extra(self):
        return 1


def make():
    return Child()


def leaves():
    out = [1, 2]
    return out


class Holder:
    item: Base
    items: Nested

    def __init__(self):
        self.item = make()
        self.items = leaves()


def grow():
    more = leaves()
    more.append(3)
    return more
"""


def test_declared_types_wider_than_the_returns_come_after_them(make_package) -> None:  # type: ignore[no-untyped-def]
    files = make_package({"m.py": NARROW})
    assert error_lines(run_mypy(load_modules(files))) == []
    naive = infer_package(files, root=files[0].parent, target_version=(3, 11), verify=False)
    functions = naive.for_file(files[1]).functions
    # a subclass of the declared class: what the function returns is known exactly, and narrower
    assert functions["make"].returns == "Child"
    # a recursive alias says nothing of its alternatives here: the declaration first...
    assert functions["leaves"].returns == "Nested"
    assert any('has no attribute "append"' in e for e in _errors_after(files, naive))
    # ...and the function's own type when another caller needs more than the declaration promises
    checked = infer_package(files, root=files[0].parent, target_version=(3, 11))
    assert checked.for_file(files[1]).functions["leaves"].returns == "list[int]"
    assert _errors_after(files, checked) == []


def _sources(code: str, value: str) -> list[tuple[str, str]]:
    func = ast.parse(textwrap.dedent(code)).body[0]
    assert isinstance(func, ast.FunctionDef)
    params = {a.arg for a in func.args.args}
    found = sources(ast.parse(value, mode="eval").body, params, local_bindings(func))
    return [(kind, what if isinstance(what, str) else ast.unparse(what)) for kind, what in found]


def test_sources_follow_plain_locals_and_stop_at_anything_else() -> None:
    code = """
    def f(a, b, c):
        x = g(a) if a else b
        y = x or h()
        for z in a:
            pass
        c = 1
        w, v = 1, 2
    """
    assert _sources(code, "y") == [("call", "g(a)"), ("param", "b"), ("call", "h()")]
    assert _sources(code, "a") == [("param", "a")]
    assert _sources(code, "c") == []        # a parameter rebound is not what was passed
    assert _sources(code, "z") == []        # bound by a loop: an item, not the value
    assert _sources(code, "w") == []        # unpacked


def test_a_literal_joins_the_class_of_its_values() -> None:
    from pymigrate.migrate.infer.model import LITERAL, TypeRef, literal_value, union
    text, number = TypeRef("builtins.str"), TypeRef("builtins.int")
    post = TypeRef(LITERAL, (literal_value("post"),))
    assert union([post, text]) == text
    assert union([post, number]) == TypeRef("|", (number, post))
    assert union([TypeRef(LITERAL, (literal_value(3),)), number]) == number


HANDED_ON = """
def interpreter(version):
    return version[0] * 10 + version[1]


def tags(version=None):
    if version is None:
        version = (3, 11)
    return [interpreter(version)]


def compatible(python_version=None):
    return tags(python_version)


def defaulted(python_version=None):
    if not python_version:
        python_version = (3, 11)
    return tags(python_version) + [interpreter(python_version)]


compatible([3, 12])
defaulted([3, 12])
interpreter([3, 9])
"""


def test_a_parameter_only_handed_on_takes_the_callees_type(infer_module) -> None:  # type: ignore[no-untyped-def]
    """`compatible` only passes its argument on, which alone would say Iterable[int]: `tags` indexes
    what it gets (through `interpreter`), so Sequence[int], and None stays allowed."""
    functions = infer_module(HANDED_ON)
    assert functions["interpreter"].params == {"version": "Sequence[int]"}
    assert functions["tags"].params == {"version": "Sequence[int] | None"}
    assert functions["compatible"].params == {"python_version": "Sequence[int] | None"}
    # a falsy default filled in first is no use either; the callees' types agree once their None is set
    # aside (tags takes None, interpreter does not), and the default's None stays
    assert functions["defaulted"].params == {"python_version": "Sequence[int] | None"}


def test_a_typing_import_names_its_collections_abc_twin(make_package) -> None:  # type: ignore[no-untyped-def]
    """A module that imported ``Callable`` and ``AbstractSet`` from typing gets them written under those
    names (no second import, and the short name is not "something else" here)."""
    from pymigrate.migrate.infer.model import CALLABLE, PARAMS
    from pymigrate.migrate.infer.syntax import FileContext

    files = make_package({"m.py": "from typing import AbstractSet, Callable\n\n\ndef f(x):\n    return x\n"})
    module = load_modules(files)[1]
    ctx = FileContext.of(module, frozenset({"pkg", "pkg.m"}), (3, 11))
    text = TypeRef("builtins.str")
    converter = TypeRef(CALLABLE, (TypeRef(PARAMS, (text,)), TypeRef("collections.abc.Set", (text,))))
    assert ctx.render(converter, 4) == "Callable[[str], AbstractSet[str]]"
    assert ctx.imports == {}
