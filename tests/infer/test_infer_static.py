"""Static inference: exact annotation text, and mypy's verdict on the annotated package."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from pymigrate.migrate.annotate import annotate_module
from pymigrate.migrate.infer import FunctionTypes, infer_package
from pymigrate.migrate.infer.package import load_modules
from pymigrate.migrate.infer.static import error_lines, run_mypy

HELPERS = """
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __eq__(self, other):
        return isinstance(other, Point) and self.x == other.x

    def shifted(self, dx):
        return Point(self.x + dx, self.y)


def repeat(n, sep=", "):
    return sep.join([str(n)] * 3)


def scale(values, factor=2):
    return [v * factor for v in values]


def origin(xs: list[int]) -> str:
    p = Point(0, 1)
    p.shifted(1.5)
    return repeat(len(xs)) + str(scale(xs))
"""


def test_callers_defaults_returns_and_overrides(make_package) -> None:  # type: ignore[no-untyped-def]
    files = make_package({"geo.py": HELPERS})
    types = infer_package(files, root=files[0].parent, target_version=(3, 11)).for_file(files[1])
    assert types.functions["repeat"] == FunctionTypes({"n": "int", "sep": "str"}, "str")
    # `values` is only iterated, so the list its caller passes widens to Iterable
    assert types.functions["scale"] == FunctionTypes({"values": "Iterable[int]", "factor": "int"}, "list[int]")
    assert types.imports == ["from collections.abc import Iterable"]
    # an unannotated method gets the types its (annotated) callers pass, iterated to a fixed point
    # (x also receives `self.x + dx` with dx float from shifted: a float)
    assert types.functions["Point.__init__"] == FunctionTypes({"x": "float", "y": "int"}, "None")
    # inside its own class body the name is not bound yet at def time (3.11): quoted
    assert types.functions["Point.shifted"] == FunctionTypes({"dx": "float"}, '"Point"')
    # a method overriding a typed base-class method takes its signature
    assert types.functions["Point.__eq__"] == FunctionTypes({"other": "object"}, "bool")
    assert types.attributes == {"Point.x": "float", "Point.y": "int"}
    assert "origin" not in types.functions          # fully annotated already


def test_annotated_package_adds_no_mypy_error(make_package) -> None:  # type: ignore[no-untyped-def]
    files = make_package({"geo.py": HELPERS})
    before = len(error_lines(run_mypy(load_modules(files))))
    types = infer_package(files, root=files[0].parent, target_version=(3, 11))
    for path in files:
        path.write_text(annotate_module(cst.parse_module(path.read_text()), types.for_file(path)).code)
    after = error_lines(run_mypy(load_modules(files)))
    assert len(after) <= before, after
    text = files[1].read_text()
    assert "def repeat(n: int, sep: str = \", \") -> str:" in text
    assert "        self.x: float = x\n" in text
    assert text.startswith("from collections.abc import Iterable\n\n\nclass Point:\n")


def test_target_version_syntax_and_forward_references(make_package) -> None:  # type: ignore[no-untyped-def]
    files = make_package({"m.py": """
        def pick(flag, value=None):
            if flag:
                return Box()
            return None


        class Box:
            pass


        def use() -> None:
            pick(True, 3)
        """})
    types = infer_package(files, root=files[0].parent, target_version=(3, 9)).for_file(files[1])
    fn = types.functions["pick"]
    # 3.9 evaluates annotations at def time: no `X | None`, and Box (defined later) is quoted
    assert fn.returns == '"Optional[Box]"'
    assert fn.params == {"flag": "bool", "value": "Optional[int]"}
    assert "from typing import Optional" in types.imports
    new = infer_package(files, root=files[0].parent, target_version=(3, 11)).for_file(files[1])
    assert new.functions["pick"].returns == '"Box | None"'
    assert new.functions["pick"].params["value"] == "int | None"


def test_cross_module_types_are_imported_for_type_checking_only(make_package) -> None:  # type: ignore[no-untyped-def]
    files = make_package({
        "shapes.py": """
            from __future__ import annotations


            class Square:
                def __init__(self, side: int) -> None:
                    self.side = side
            """,
        "use.py": """
            from __future__ import annotations

            from pkg import shapes


            def area(s):
                return s.side * s.side


            def main() -> int:
                return area(shapes.Square(2))
            """,
    })
    types = infer_package(files, root=files[0].parent, target_version=(3, 11)).for_file(files[2])
    assert types.functions["area"] == FunctionTypes({"s": "shapes.Square"}, "int")
    assert types.imports == []


def test_no_any_and_no_guess_without_evidence(make_package) -> None:  # type: ignore[no-untyped-def]
    files = make_package({"m.py": """
        def unknown(x, y=None):
            return x
        """})
    types = infer_package(files, root=files[0].parent, target_version=(3, 11)).for_file(files[1])
    # what the body says is all there is: x comes back unchanged (a type variable), y is never read
    assert types.functions == {"unknown": FunctionTypes({"x": "_T"}, "_T")}


def test_empty_package_and_paths_outside_it(tmp_path: Path) -> None:
    assert infer_package([], root=tmp_path).for_file(tmp_path / "x.py").functions == {}


def test_unparsable_file_and_a_file_mypy_stops_on_are_skipped_alone(make_package, capsys) -> None:  # type: ignore[no-untyped-def]
    files = make_package({"ok.py": "def f(x=1):\n    return x\n", "bad.py": "def (:\n"})
    types = infer_package(files, root=files[0].parent, target_version=(3, 11))
    assert types.for_file(files[1]).functions == {"f": FunctionTypes({"x": "int"}, "int")}
    assert "bad.py: skipped by type inference" in capsys.readouterr().err
    # `yield` outside a function parses but is a blocking mypy error in n.py: n.py is left out and says why,
    # and m.py keeps its inference (the run still fails n.py: see tests/migrate/test_migrate_trace.py)
    files2 = make_package({"m.py": "def g(x=1):\n    return x\n", "n.py": "class A:\n    yield 1\n"}, name="pkg2")
    types2 = infer_package(files2, root=files2[0].parent, target_version=(3, 11))
    assert types2.for_file(files2[1]).functions == {"g": FunctionTypes({"x": "int"}, "int")}
    assert types2.for_file(files2[2]).functions == {}
    assert 'n.py: skipped by type inference: mypy stopped on it: "yield" outside function' in capsys.readouterr().err


PREDICATES = """
def is_small(thing):
    return thing is not None and thing.size < 10 and not thing.hidden


def has(thing, key):
    return key in thing.keys()


def first_or_flag(thing):
    return thing.first or thing.flag
"""


def test_comparisons_of_untyped_operands_are_bool(infer_module) -> None:  # type: ignore[no-untyped-def]
    """`a < b`, `not a`, `a in b` and chains of them are bool even when mypy types an operand as Any."""
    functions = infer_module(PREDICATES)
    assert functions["is_small"].returns == "bool"
    assert functions["has"].returns == "bool"
    assert "first_or_flag" not in functions          # `or` of untyped values: nothing known


SELF_RETURNS = """
class Node:
    def __init__(self, name):
        self.name = name

    @classmethod
    def parse(cls, text):
        return cls(text.strip())

    def renamed(self, name):
        return type(self)(name)

    def touch(self):
        return self

    @classmethod
    def checked(cls, text):
        node = cls(text)
        node.name.strip()
        return node

    @classmethod
    def raw(cls, name):
        node = cls.__new__(cls)
        node.name = name
        return node

    def blank(self):
        node = object.__new__(type(self))
        node.name = ""
        return node

    @classmethod
    def from_text(cls, text):
        return cls.parse(text)

    def again(self):
        return self.touch()


class Leaf(Node):
    pass


def build() -> Node:
    return Node.parse("a").renamed("b").touch()
"""


FINAL_CONSTRUCTORS = """
from typing import Protocol


class Loadable(Protocol):
    @classmethod
    def load(cls, text): ...


class Config:
    def __init__(self, text):
        self.text = text

    @classmethod
    def load(cls, text):
        return cls(text)

    @classmethod
    def empty(cls):
        return cls("")

    @classmethod
    def from_file(cls, path):
        return cls.load(path.read_text())


Config.load("a")
"""


def test_alternate_constructors_of_a_class_without_subclasses_name_it(infer_module) -> None:  # type: ignore[no-untyped-def]
    """No subclass can call ``empty``, so authors write the class; ``load`` is a Protocol's method, whose
    implementations must return their own class whichever it is: Self."""
    functions = infer_module(FINAL_CONSTRUCTORS)
    assert functions["Config.empty"].returns == '"Config"'
    assert functions["Config.load"].returns == "Self"
    assert functions["Config.from_file"].returns == "Self"     # hands on what load returns


def test_methods_returning_their_receiver_or_its_class_return_self(make_package) -> None:  # type: ignore[no-untyped-def]
    """Node has a subclass: its alternate constructors give a Leaf when called on Leaf."""
    files = make_package({"m.py": SELF_RETURNS})
    new = infer_package(files, root=files[0].parent, target_version=(3, 11)).for_file(files[1])
    assert [new.functions[f].returns for f in ("Node.parse", "Node.renamed", "Node.touch", "Node.checked",
                                               "Node.raw", "Node.blank", "Node.from_text")] == ["Self"] * 7
    # an instance method handing on another's result names the class, as authors write it
    assert new.functions["Node.again"].returns == '"Node"'
    assert "from typing import Self" in new.imports
    types = infer_package(files, root=files[0].parent, target_version=(3, 9))
    old = types.for_file(files[1])
    assert old.functions["Node.touch"].returns == '"Self"'      # typing_extensions, for type checking only
    assert "if TYPE_CHECKING:\n    from typing_extensions import Self" in old.imports
    texts = {p: annotate_module(cst.parse_module(p.read_text()), types.for_file(p)).code for p in files}
    from pymigrate.migrate.infer.package import module_from_text
    assert error_lines(run_mypy([module_from_text(m, texts[m.path]) for m in load_modules(files)], None, (3, 9))) == []


RAISING_AND_CONTEXT = """
import contextlib


class Parser:
    def fail(self, message):
        raise ValueError(message)

    def todo(self):
        raise NotImplementedError

    @contextlib.contextmanager
    def section(self, name):
        yield len(name)


def run() -> int:
    p = Parser()
    with p.section("x") as s:
        return s
"""


def test_always_raising_is_noreturn_and_context_managers_are_generators(infer_module) -> None:  # type: ignore[no-untyped-def]
    functions = infer_module(RAISING_AND_CONTEXT)
    assert functions["Parser.fail"].returns == "NoReturn"
    assert "Parser.todo" not in functions or functions["Parser.todo"].returns is None   # abstract placeholder
    assert functions["Parser.section"].returns == "Generator[int, None, None]"


PROTOCOLS = """
def head(items):
    return items[0] if len(items) > 1 else items[-1]


def lookup(table, key):
    return table.get(key, "") + table[key]


def push(items, value):
    items.append(value)


def main() -> None:
    head(["a", "b"])
    lookup({"k": "v"}, "k")
    push([1], 2)
"""


def test_read_only_containers_widen_to_sequence_and_mapping(make_package) -> None:  # type: ignore[no-untyped-def]
    """Indexing and len need a Sequence, reading a dict a Mapping; a mutated list stays a list."""
    files = make_package({"m.py": PROTOCOLS})
    types = infer_package(files, root=files[0].parent, target_version=(3, 11))
    functions = types.for_file(files[1]).functions
    # an item handed back: a selection from any sequence (flow.py), not only of the strings main passes
    assert functions["head"].params == {"items": "Sequence[_T]"} and functions["head"].returns == "_T"
    assert functions["lookup"].params == {"table": "Mapping[str, str]", "key": "str"}
    assert functions["push"].params == {"items": "list[int]", "value": "int"}
    texts = {p: annotate_module(cst.parse_module(p.read_text()), types.for_file(p)).code for p in files}
    from pymigrate.migrate.infer.package import module_from_text
    assert error_lines(run_mypy([module_from_text(m, texts[m.path]) for m in load_modules(files)])) == []


NEWTYPES = """
from typing import NewType

Name = NewType("Name", str)


class Node:
    def __init__(self, value):
        self.value = value


def make(raw: str, clean: Name) -> list[Node]:
    return [Node(raw), Node(clean)]
"""


def test_a_newtype_and_its_base_join_to_the_base(infer_module) -> None:  # type: ignore[no-untyped-def]
    functions = infer_module(NEWTYPES)
    assert functions["Node.__init__"].params == {"value": "str"}


def test_type_arguments_equal_to_their_defaults_are_left_out(make_package) -> None:  # type: ignore[no-untyped-def]
    files = make_package({"m.py": """
        import email
        import email.message


        def subject(msg):
            return msg["Subject"]


        def read(data: bytes) -> object:
            return subject(email.message_from_bytes(data))
        """})
    functions = infer_package(files, root=files[0].parent, target_version=(3, 11)).for_file(files[1]).functions
    assert functions["subject"].params == {"msg": "email.message.Message"}


GETTERS = """
from typing import TypeVar

_T = TypeVar("_T")


def get(d, kind, key):
    value = d.get(key)
    if value is None:
        return None
    if not isinstance(value, kind):
        raise TypeError(key)
    return value


def required(d, kind, key):
    if (value := get(d, kind, key)) is None:
        raise KeyError(key)
    return value


class Item:
    def __init__(self, name, size, count):
        self.name = name
        self.size = size
        self.count = count


def load(d: dict[str, object]) -> Item:
    return Item(required(d, str, "name"), get(d, int, "size"), required(d, int, "count"))
"""


def test_functions_returning_instances_of_a_class_parameter_are_generic(make_package) -> None:  # type: ignore[no-untyped-def]
    """Without `type[_T] -> _T`, get's return would be `int | str | None` and both calls in load errors."""
    files = make_package({"m.py": GETTERS})
    types = infer_package(files, root=files[0].parent, target_version=(3, 11))
    functions = types.for_file(files[1]).functions
    assert functions["get"].params["kind"] == "type[_T]" and functions["get"].returns == "_T | None"
    assert functions["required"].params["kind"] == "type[_T]" and functions["required"].returns == "_T"
    assert functions["Item.__init__"].params == {"name": "str", "size": "int | None", "count": "int"}
    texts = {p: annotate_module(cst.parse_module(p.read_text()), types.for_file(p)).code for p in files}
    from pymigrate.migrate.infer.package import module_from_text
    assert error_lines(run_mypy([module_from_text(m, texts[m.path]) for m in load_modules(files)])) == []


NESTED = """
def count(table):
    return sum(len(row) for row in table.values())


def main() -> int:
    return count({"a": {"x": 1}}) + count({"b": {"y": "z"}})
"""


def test_containers_inside_a_read_only_parameter_are_read_only(make_package) -> None:  # type: ignore[no-untyped-def]
    """dict is invariant: Mapping[str, dict[str, int | str]] would reject both calls; the nested Mapping takes them."""
    files = make_package({"m.py": NESTED})
    types = infer_package(files, root=files[0].parent, target_version=(3, 11))
    assert types.for_file(files[1]).functions["count"].params == {"table": "Mapping[str, Mapping[str, int | str]]"}
    texts = {p: annotate_module(cst.parse_module(p.read_text()), types.for_file(p)).code for p in files}
    from pymigrate.migrate.infer.package import module_from_text
    assert error_lines(run_mypy([module_from_text(m, texts[m.path]) for m in load_modules(files)])) == []


OPTIONAL_ITERABLE = """
def tags(platforms=None):
    if platforms is None:
        platforms = ["any"]
    return [p.upper() for p in platforms]


def main() -> list[str]:
    return tags(["linux"]) + tags()
"""


def test_an_optional_container_only_iterated_is_an_optional_iterable(infer_module) -> None:  # type: ignore[no-untyped-def]
    functions = infer_module(OPTIONAL_ITERABLE)
    assert functions["tags"].params == {"platforms": "Iterable[str] | None"}


VALIDATORS = """
def is_pair(spec):
    return isinstance(spec, tuple) and len(spec) == 2


def doubled(value):
    if isinstance(value, str):
        return int(value) * 2
    return value * 2


def checked_epoch(value):
    epoch = value or 0
    if isinstance(epoch, int) and epoch >= 0:
        return epoch
    raise ValueError(epoch)


def checked_release(value):
    release = (0,) if value is None else value
    if isinstance(release, tuple) and all(isinstance(i, int) for i in release):
        return release
    raise ValueError(release)


def checked_post(value):
    if value is None:
        return value
    if isinstance(value, int):
        return ("post", value)
    raise ValueError(value)


def label(value):
    text = value.strip()
    if isinstance(text, str):
        return text
    return ""


def shown(value):
    if isinstance(value, bytes):
        return value.decode()
    return str(value)


def restored(state):
    if isinstance(state, str):
        text: str = state
    elif isinstance(state, tuple):
        text = str(state[0])
    else:
        raise TypeError(state)
    return text


def main() -> None:
    shown(b"a")
    shown(3)
    restored("x")
    is_pair(("a", "b"))
    doubled("3")
    doubled(4)
    checked_epoch(1)
    checked_release((1, 2))
    checked_post(3)
    label(" a ")
"""


def test_a_parameter_first_asked_its_type_accepts_any_object(infer_module) -> None:  # type: ignore[no-untyped-def]
    """A validator (what its checks do not accept is refused) takes anything; when the body needs more than
    object (value * 2), verification falls back."""
    functions = infer_module(VALIDATORS)
    assert functions["is_pair"].params == {"spec": "object"}
    assert functions["doubled"].params == {"value": "int | str"}
    # `is None` tests and locals that only rename the parameter come before the isinstance check
    for name in ("checked_epoch", "checked_release", "checked_post"):
        assert functions[name].params == {"value": "object"}, name
    assert functions["label"].params == {"value": "str"}        # used (.strip()) before it is checked
    # a dispatch that refuses nothing (str() takes anything) takes what its callers pass
    assert functions["shown"].params == {"value": "bytes | int"}
    # an if/elif chain over the checks ending in `else: raise` refuses the rest; the str declared for the
    # narrowed value in one branch says nothing of the parameter
    assert functions["restored"].params == {"state": "object"}


OPERATORS = """
class Bound:
    def __init__(self, v):
        self.v = v

    def __lt__(self, other):
        if not isinstance(other, Bound):
            return NotImplemented
        return self.v < other.v


def smaller() -> bool:
    return Bound(1) < Bound(2)
"""


def test_an_operator_checking_its_operand_still_takes_its_class(infer_module) -> None:  # type: ignore[no-untyped-def]
    functions = infer_module(OPERATORS)
    assert functions["Bound.__lt__"] == FunctionTypes({"other": '"Bound"'}, "bool")   # `b1 < b2` passes a Bound


ABSTRACT = """
import abc


class Shape(abc.ABC):
    @abc.abstractmethod
    def scaled(self, factor):
        "A copy scaled by factor."

    @property
    @abc.abstractmethod
    def name(self):
        "What to call it."

    @name.setter
    def name(self, value):
        "Rename it."

    def describe(self):
        raise NotImplementedError


class Square(Shape):
    def __init__(self, side):
        self.side = side
        self._name = "square"

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._name = value

    def scaled(self, factor):
        return Square(self.side * factor)


class Circle(Shape):
    def __init__(self, radius):
        self.radius = radius

    def scaled(self, factor):
        return Circle(self.radius * factor)


def grow() -> list[Shape]:
    return [Square(1.0).scaled(2.0), Circle(1.0).scaled(0.5)]
"""


def test_abstract_methods_take_their_implementations_types(infer_module) -> None:  # type: ignore[no-untyped-def]
    functions = infer_module(ABSTRACT)
    assert functions["Shape.scaled"] == FunctionTypes({"factor": "float"}, '"Circle | Square"')   # defined below
    assert "Shape.describe" not in functions          # no implementation: nothing to take
    # a property's accessors take their types from the implementations of the same accessor
    assert functions["Shape.name"].returns == "str"
    assert functions["Shape.name@setter"] == FunctionTypes({"value": "str"}, "None")


PROTOCOL = """
from __future__ import annotations

from typing import Protocol


class FromText(Protocol):
    @classmethod
    def parse(cls, text): ...

    def render(self): ...


class Point:
    def __init__(self, x):
        self.x = x

    @classmethod
    def parse(cls, text):
        return cls(int(text))

    def render(self):
        return str(self.x)


class Name:
    def __init__(self, text):
        self.text = text

    @classmethod
    def parse(cls, text):
        return cls(text.strip())

    def render(self):
        return self.text


class Unrelated:
    def render(self):
        return 3


Point.parse("1").render()
Name.parse(" a ").render()
"""


def test_protocol_methods_take_their_structural_implementations_types(infer_module) -> None:  # type: ignore[no-untyped-def]
    """Point and Name define every method of FromText without naming it; Unrelated defines only one."""
    functions = infer_module(PROTOCOL)
    assert functions["Point.parse"].params == {"text": "str"}     # a classmethod called on its class
    assert functions["FromText.parse"] == FunctionTypes({"text": "str"}, "Self")
    assert functions["FromText.render"].returns == "str"


DECLARED = """
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, init=False)
class Archive:
    url: str | None = None
    hashes: Mapping[str, str]

    def __init__(self, *, url=None, hashes):
        object.__setattr__(self, "url", url)
        object.__setattr__(self, "hashes", hashes)


class Job:
    name: str
    retries: float

    def __init__(self, name, retries, note=None):
        self.name = name
        retries = retries or 1
        self.retries = retries
        self.note = note


def make() -> Archive:
    Job("build", 3)
    return Archive(hashes={"sha256": "00"})
"""


def test_parameters_stored_into_declared_attributes_take_their_type(infer_module) -> None:  # type: ignore[no-untyped-def]
    functions = infer_module(DECLARED)
    # the call passes a dict, the field is declared a Mapping: the author's type wins
    assert functions["Archive.__init__"] == FunctionTypes({"url": "str | None", "hashes": "Mapping[str, str]"},
                                                          "None")
    # `retries` is rebound before it is stored: only what flows in counts; `note` has no declaration
    assert functions["Job.__init__"].params == {"name": "str", "retries": "int"}


ALIASES = """
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, Union

PythonVersion = Sequence[int]
Mode = Literal["r", "w"]
Number = Union[int, str]
if TYPE_CHECKING:
    Pair = tuple[int, int]


def nodot(version):
    return "".join(map(str, version[:2]))


def mode_of(flag):
    return "r" if flag else "w"


def label(n, fallback=None):
    return str(n) if fallback is None else fallback


def swap(p):
    return p[1], p[0]


def main() -> None:
    nodot([3, 12, 1])
    mode_of(True)
    label(1)
    label("x", None)
    swap((1, 2))
"""


def test_a_union_with_a_protocol_drops_the_containers_it_accepts() -> None:
    from pymigrate.migrate.infer.model import TypeRef, union
    i, s = TypeRef("builtins.int"), TypeRef("builtins.str")
    seq = TypeRef("collections.abc.Sequence", (i,))
    assert union([TypeRef("builtins.tuple", (i, i)), seq]) == seq
    assert union([TypeRef("builtins.list", (i,)), seq]) == seq
    # a Sequence[int] does not accept a list[str]; an Iterable of the union does
    assert union([TypeRef("builtins.list", (s,)), seq]) == TypeRef("|", (TypeRef("builtins.list", (s,)), seq))
    it = TypeRef("collections.abc.Iterable", (TypeRef("|", (i, s)),))
    assert union([TypeRef("builtins.set", (s,)), TypeRef("builtins.tuple", (i, TypeRef("..."))), it]) == it


def test_annotations_use_the_module_type_aliases(infer_module) -> None:  # type: ignore[no-untyped-def]
    functions = infer_module(ALIASES)
    # a list[int] that is only indexed is a Sequence[int], which the module calls PythonVersion
    assert functions["nodot"].params == {"version": "PythonVersion"}
    # a Literal alias would narrow every str: not used
    assert functions["mode_of"].returns == "str"
    # a union alias replaces the members it covers
    assert functions["label"].params == {"n": "Number"}
    assert functions["swap"] == FunctionTypes({"p": "Pair"}, "Pair")


SETTER = """
class Gauge:
    def __init__(self) -> None:
        self._level: float | None = None

    @property
    def level(self):
        return self._level

    @level.setter
    def level(self, value):
        self._level = value

    @level.deleter
    def level(self):
        self._level = None
"""


def test_a_property_setter_takes_the_getter_type(make_package) -> None:  # type: ignore[no-untyped-def]
    files = make_package({"m.py": SETTER})
    types = infer_package(files, root=files[0].parent, target_version=(3, 11)).for_file(files[1])
    assert types.functions["Gauge.level"] == FunctionTypes({}, "float | None")
    assert types.functions["Gauge.level@setter"] == FunctionTypes({"value": "float | None"}, "None")
    assert types.functions["Gauge.level@deleter"] == FunctionTypes({}, "None")
    text = annotate_module(cst.parse_module(SETTER), types).code
    assert "def level(self) -> float | None:" in text
    assert "def level(self, value: float | None) -> None:" in text
    assert text.count("def level(self) -> None:") == 1


OVERLOADS = """
from typing import overload


class Box:
    @overload
    def pick(self, index: int, strict: bool = ...) -> str: ...

    @overload
    def pick(self, index: slice, strict: bool | None = ...) -> list[str]: ...

    def pick(self, index, strict=None):
        items = ["a", "b"]
        return items[index]
"""


def test_an_overloaded_implementation_takes_the_union_of_its_overloads(make_package) -> None:  # type: ignore[no-untyped-def]
    files = make_package({"m.py": OVERLOADS})
    types = infer_package(files, root=files[0].parent, target_version=(3, 11)).for_file(files[1])
    assert types.functions["Box.pick"] == FunctionTypes({"index": "int | slice", "strict": "bool | None"},
                                                        "list[str] | str")
    text = annotate_module(cst.parse_module(OVERLOADS), types).code
    assert "def pick(self, index: int | slice, strict: bool | None = None) -> list[str] | str:" in text
    assert text.count("def pick(self, index: int, strict: bool = ...) -> str: ...") == 1


GUARDED_OPERATORS = """
class Money:
    def __init__(self, cents: int) -> None:
        self.cents = cents

    def __lt__(self, other):
        if not isinstance(other, Money):
            return NotImplemented
        return self.cents < other.cents

    def __add__(self, other):
        if isinstance(other, (Money, int)):
            return Money(self.cents + (other if isinstance(other, int) else other.cents))
        return NotImplemented

    def __eq__(self, other):
        if not isinstance(other, Money):
            return NotImplemented
        return self.cents == other.cents
"""


def test_an_operator_guarded_by_isinstance_takes_that_class(infer_module) -> None:  # type: ignore[no-untyped-def]
    """Anything else gets NotImplemented (a TypeError for the caller): the operator is defined for those."""
    functions = infer_module(GUARDED_OPERATORS)
    assert functions["Money.__lt__"] == FunctionTypes({"other": '"Money"'}, "bool")
    assert functions["Money.__add__"] == FunctionTypes({"other": '"int | Money"'}, '"Money"')
    assert functions["Money.__eq__"].params == {"other": "object"}     # overrides object.__eq__


CLOSURES = """
class Version:
    def __init__(self, v: int) -> None:
        self.v = v


def make_above(version):
    limit = version.v

    def above(parsed: Version):
        return parsed.v > limit

    return above


def make_counter():
    def counts():
        yield 1

    return counts


def use() -> bool:
    return make_above(Version(1))(Version(2))
"""


def test_a_nested_function_returns_and_yields_are_its_own(infer_module) -> None:  # type: ignore[no-untyped-def]
    functions = infer_module(CLOSURES)
    assert functions["make_above"] == FunctionTypes({"version": "Version"}, "Callable[[Version], bool]")
    assert functions["make_above.<locals>.above"].returns == "bool"
    assert functions["make_counter.<locals>.counts"].returns == "Iterator[int]"
    # the outer function is no generator: it returns the generator function
    assert functions["make_counter"].returns == "Callable[[], Iterator[int]]"


TUPLES = """
def head(xs):
    return xs[0]


def first_of(xs):
    return xs[0]


def extended(units):
    units = set(units)
    units.add(0)
    return units


def main(numbers: tuple[int, ...]) -> None:
    extended([1, 2])
    head(numbers)
    first_of([1, 2])
    first_of(numbers)
"""


def test_an_indexed_parameter_is_a_sequence_and_a_rebound_one_only_iterated(infer_module) -> None:  # type: ignore[no-untyped-def]
    functions = infer_module(TUPLES)
    assert functions["head"].params == {"xs": "Sequence[_T]"}       # an item handed back: any sequence
    assert functions["first_of"].params == {"xs": "Sequence[_T]"}       # lists and tuples: any sequence
    # after `units = set(units)` the body works on the new set: the argument is only iterated
    assert functions["extended"] == FunctionTypes({"units": "Iterable[int]"}, "set[int]")


REFUSING_NEW = """
class Frozen:
    def __new__(cls, *args, **kwargs):
        raise TypeError("use Frozen.make()")

    @classmethod
    def make(cls):
        return object.__new__(cls)

    def describe(self, verbose):
        return "frozen"
"""


def test_a_refusing_new_returns_its_class_and_unread_parameters_take_any_object(infer_module) -> None:  # type: ignore[no-untyped-def]
    functions = infer_module(REFUSING_NEW)
    # callers see a Frozen come out (NoReturn would make every `Frozen(...)` unreachable code)
    assert functions["Frozen.__new__"] == FunctionTypes({"args": "object", "kwargs": "object"}, '"Frozen"')
    assert functions["Frozen.describe"] == FunctionTypes({"verbose": "object"}, "str")


SUBCLASS_INIT = """
from __future__ import annotations


class ValidationError(Exception):
    context: str | None = None
    message: str

    def __init__(self, cause, *, context=None):
        if isinstance(cause, ValidationError):
            self.context = context or cause.context
            self.message = cause.message
        else:
            self.context = context
            self.message = str(cause)


class RequiredKeyError(ValidationError):
    def __init__(self, key):
        super().__init__("Missing required value", context=key)


def get_required(d, key):
    value = d.get(key)
    if value is None:
        raise RequiredKeyError(key)
    return value


get_required({"a": 1}, "a")
"""


def test_a_subclass_init_is_no_override_of_its_bases_by_position(infer_module) -> None:  # type: ignore[no-untyped-def]
    """RequiredKeyError.__init__(key) is not ValidationError.__init__(cause): constructors need not be
    compatible, so `key` takes what flows in (a str), not `cause`'s object."""
    functions = infer_module(SUBCLASS_INIT)
    assert functions["RequiredKeyError.__init__"] == FunctionTypes({"key": "str"}, "None")


TYPE_GUARDS = """
def valid_spec(spec):
    return (
        isinstance(spec, tuple)
        and len(spec) == 2
        and isinstance(spec[0], str)
        and isinstance(spec[1], str)
    )


def valid_pre(pre):
    return pre is None or isinstance(pre, bool)


def positive(value):
    return isinstance(value, int) and value > 0


def long_tuple(value):
    return isinstance(value, tuple) and len(value) > 1


def use(spec, pre):
    if valid_spec(spec) and valid_pre(pre):
        return spec[0]
    return None


use(("a", "b"), True)
positive(3)
long_tuple((1, 2))
"""


def test_a_function_answering_its_parameters_type_is_a_type_guard(make_package) -> None:  # type: ignore[no-untyped-def]
    """Every return says whether the only parameter is a T: `TypeGuard[T]` (from typing_extensions before
    3.10, for type checking only), so `if valid_spec(x):` narrows x. A tuple's items come from the checks of
    each position under a fixed length; a check that proves no type (`len(value) > 1` for the items) leaves
    `bool`."""
    files = make_package({"m.py": TYPE_GUARDS})
    types = infer_package(files, root=files[0].parent, target_version=(3, 11)).for_file(files[1])
    functions = types.functions
    assert functions["valid_spec"].returns == "TypeGuard[tuple[str, str]]"
    assert functions["valid_pre"].returns == "TypeGuard[bool | None]"
    assert functions["positive"].returns == "TypeGuard[int]"
    assert functions["long_tuple"].returns == "bool"
    assert "from typing import TypeGuard" in types.imports
    old = infer_package(files, root=files[0].parent, target_version=(3, 9)).for_file(files[1])
    assert old.functions["positive"].returns == '"TypeGuard[int]"'
    assert "if TYPE_CHECKING:\n    from typing_extensions import TypeGuard" in old.imports


VOCABULARY = """
from typing import Literal

Context = Literal["metadata", "lock_file", "requirement"]
Mode = Literal["r", "w"]


def evaluate(marker, context="metadata"):
    if context == "lock_file":
        return marker + "!"
    elif context == "metadata":
        return marker
    return marker.upper()


def opened(mode):
    if mode in ("x", "r"):
        return 1
    return 0


evaluate("a", context="requirement")
opened("r")
"""


def test_a_parameter_compared_with_the_values_of_a_literal_alias_speaks_it(infer_module) -> None:  # type: ignore[no-untyped-def]
    """`context` is compared with "lock_file" and defaults to "metadata", both values of the module's
    `Context`: the alias is written. `mode` is compared with "x", which `Mode` lacks: a plain str."""
    functions = infer_module(VOCABULARY)
    assert functions["evaluate"].params == {"marker": "str", "context": "Context"}
    assert functions["opened"].params == {"mode": "str"}


SPOKEN = """
from __future__ import annotations

from collections.abc import Sequence


class Bound:
    def __init__(self, v):
        self.v = v


class Ranges:
    def __init__(self):
        self._cached: Sequence[tuple[Bound, Bound]] | None = None


def widths(intervals):
    return [hi.v - lo.v for lo, hi in intervals]


def shouted(words):
    return [w.upper() for w in words]


widths([(Bound(1), Bound(2))])
widths(((Bound(1), Bound(3)),))
shouted(["a"])
"""


def test_a_widened_parameter_speaks_as_the_packages_declarations_do(infer_module) -> None:  # type: ignore[no-untyped-def]
    """`widths` only iterates what it gets, lists and tuples of intervals: `Iterable` would do, but the
    package holds its intervals as a `Sequence` (`Ranges._cached`), so that is written. Items of no type
    of the package's own (`str`) say nothing: `Iterable[str]`."""
    functions = infer_module(SPOKEN)
    assert functions["widths"].params == {"intervals": "Sequence[tuple[Bound, Bound]]"}
    assert functions["shouted"].params == {"words": "Iterable[str]"}


RECORD_PASSED_ON = """
def check(value):
    if value is None or (isinstance(value, tuple) and len(value) == 2):
        return value
    raise ValueError(value)


def build(pre=None, tags=None):
    checked = check(pre) if pre is not None else None
    return checked, list(tags or [])


build(pre=("a", 1), tags=("x", "y"))
"""


def test_a_record_passed_on_stays_a_record(infer_module) -> None:  # type: ignore[no-untyped-def]
    """`pre` only goes on to a validator that takes anything: a `("a", 1)` seen for it is a record, not a
    run of `int | str` items, so it stays `tuple[str, int]`; `tags`, a run of str, widens as usual."""
    functions = infer_module(RECORD_PASSED_ON)
    assert functions["build"].params == {"pre": "tuple[str, int] | None", "tags": "Iterable[str] | None"}


def test_any_class_is_written_type(infer_module, mypy_errors, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``type[object]`` (the class ``object`` passed, or the join of classes) is any class: written ``type``,
    as people write it (six's stub: ``create_unbound_method(func, cls: type)``), once in a union."""
    source = '''
def name_of(cls):
    return cls.__name__


def names(classes=None):
    return [name_of(c) for c in classes or ()]


X = name_of(object)
Y = names([object, int])
'''
    fns = infer_module(source)
    assert fns["name_of"].params == {"cls": "type"}
    assert fns["names"].params == {"classes": "Iterable[type] | None"}
    (tmp_path / "check.py").write_text(source.replace("def name_of(cls):", "def name_of(cls: type) -> str:"))
    assert mypy_errors(tmp_path, "check.py") == []
