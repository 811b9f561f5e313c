"""Generic signatures derived from bodies (generics.py): exact annotation text, and mypy's verdict."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from pymigrate.migrate.annotate import annotate_module
from pymigrate.migrate.infer import FunctionTypes, infer_package
from pymigrate.migrate.infer.engine import Choices
from pymigrate.migrate.infer.model import TypeRef
from pymigrate.migrate.infer.package import load_modules, module_from_text
from pymigrate.migrate.infer.static import error_lines, run_mypy

# the getter family of a lock-file reader: the annotations these functions had are what the tests expect
GETTERS = '''
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Callable, Protocol, TypeVar

from typing_extensions import Self

_T = TypeVar("_T")
_T2 = TypeVar("_T2")


class _FromMapping(Protocol):
    @classmethod
    def _from_dict(cls, d): ...


_FromMappingT = TypeVar("_FromMappingT", bound=_FromMapping)


class Missing(Exception):
    pass


def _get(d, expected_type, key):
    if (value := d.get(key)) is None:
        return None
    if not isinstance(value, expected_type):
        raise TypeError(key)
    return value


def _get_required(d, expected_type, key):
    if (value := _get(d, expected_type, key)) is None:
        raise Missing(key)
    return value


def _get_sequence(d, expected_item_type, key):
    if (value := _get(d, Sequence, key)) is None:  # type: ignore[type-abstract]
        return None
    for i, item in enumerate(value):
        if not isinstance(item, expected_item_type):
            raise TypeError(f"{key}[{i}]")
    return value


def _get_as(d, expected_type, target_type, key):
    if (value := _get(d, expected_type, key)) is None:
        return None
    try:
        return target_type(value)
    except Exception as e:
        raise ValueError(key) from e


def _get_required_as(d, expected_type, target_type, key):
    if (value := _get_as(d, expected_type, target_type, key)) is None:
        raise Missing(key)
    return value


def _get_sequence_as(d, expected_item_type, target_item_type, key):
    if (value := _get_sequence(d, expected_item_type, key)) is None:
        return None
    result = []
    for item in value:
        typed_item = target_item_type(item)
        result.append(typed_item)
    return result


def _get_object(d, target_type, key):
    if (value := _get(d, Mapping, key)) is None:  # type: ignore[type-abstract]
        return None
    return target_type._from_dict(value)


def _get_sequence_of_objects(d, target_item_type, key):
    if (value := _get_sequence(d, Mapping, key)) is None:  # type: ignore[type-abstract]
        return None
    result: list[_FromMappingT] = []
    for item in value:
        typed_item = target_item_type._from_dict(item)
        result.append(typed_item)
    return result


def _get_required_sequence_of_objects(d, target_item_type, key):
    if (result := _get_sequence_of_objects(d, target_item_type, key)) is None:
        raise Missing(key)
    return result


def _key_count(d, expected_type):
    return len([v for v in d.values() if isinstance(v, expected_type)])


def _count(d, expected_type):
    n = _key_count(d, expected_type)
    return n


class Version:
    def __init__(self, text: str) -> None:
        self.text = text


def _upper(name: str) -> str:
    return name.upper()


def _check_hashes(hashes):
    if not all(isinstance(v, str) for v in hashes.values()):
        raise TypeError("hash values must be strings")
    return hashes


def digest(hashes: dict[str, str]) -> str:
    return ",".join(_check_hashes(hashes))


class Wheel:
    def __init__(self, name: str, size: int | None) -> None:
        self.name = name
        self.size = size

    @classmethod
    def _from_dict(cls, d):
        return cls(name=_get_required(d, str, "name"), size=_get(d, int, "size"))


class Archive:
    def __init__(self, url: str) -> None:
        self.url = url

    @classmethod
    def _from_dict(cls, d):
        return cls(url=_get_required(d, str, "url"))


class Package:
    def __init__(self, name: str, version: Version | None, tags: list[str] | None, archive: Archive | None,
                 wheels: list[Wheel] | None, deps: Sequence[Wheel], title: Version,
                 extras: Sequence[str] | None, count: int, hashes: Mapping[str, str]) -> None:
        self.name = name
        self.version = version
        self.tags = tags
        self.archive = archive
        self.wheels = wheels
        self.deps = deps
        self.title = title
        self.extras = extras
        self.count = count
        self.hashes = hashes

    @classmethod
    def _from_dict(cls, d):
        return cls(
            name=_get_required(d, str, "name"),
            version=_get_as(d, str, Version, "version"),
            tags=_get_sequence_as(d, str, _upper, "tags"),
            archive=_get_object(d, Archive, "archive"),
            wheels=_get_sequence_of_objects(d, Wheel, "wheels"),
            deps=_get_required_sequence_of_objects(d, Wheel, "deps"),
            title=_get_required_as(d, str, Version, "title"),
            extras=_get_sequence(d, str, "extras"),
            count=_count(d, str),
            hashes=_get_required_as(d, Mapping, _check_hashes, "hashes"),  # type: ignore[type-abstract]
        )


class Tool:
    def __init__(self, name, settings):
        self.name = name
        self.settings = settings

    @classmethod
    def _from_dict(cls, d):
        return cls(_get_required(d, str, "name"), settings=_get(d, Mapping, "settings"))  # type: ignore[type-abstract]


def default_tool() -> Tool:
    return Tool("lint", {"line-length": "100"})


def load(d: Mapping[str, Any]) -> Package:
    return Package._from_dict(d)
'''


def _package(root: Path, files: dict[str, str]) -> list[Path]:
    root.mkdir()
    (root / "__init__.py").write_text("")
    paths = [root / "__init__.py"]
    for rel, text in files.items():
        (root / rel).write_text(textwrap.dedent(text).lstrip())
        paths.append(root / rel)
    return paths


def _annotated_errors(files: list[Path], types: object) -> list[str]:
    texts = {p: annotate_module(cst.parse_module(p.read_text()), types.for_file(p)).code  # type: ignore[attr-defined]
             for p in files}
    return error_lines(run_mypy([module_from_text(m, texts[m.path]) for m in load_modules(files)]))


@pytest.fixture(scope="module")
def getters(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, FunctionTypes], list[str]]:
    """Inferred (and verified) once for every test of the family; with the mypy errors of the result."""
    files = _package(tmp_path_factory.mktemp("g") / "pkg", {"lock.py": GETTERS})
    types = infer_package(files, root=files[0].parent, target_version=(3, 11))
    return types.for_file(files[1]).functions, _annotated_errors(files, types)


def _signature(functions: dict[str, FunctionTypes], name: str) -> tuple[dict[str, str], str | None]:
    ft = functions[name]
    return {p: t for p, t in ft.params.items() if p not in ("d", "key")}, ft.returns


def test_base_getter_returns_the_class_it_checks(getters) -> None:  # type: ignore[no-untyped-def]
    functions, errors = getters
    assert _signature(functions, "_get") == ({"expected_type": "type[_T]"}, "_T | None")
    assert errors == []     # verification kept it: mypy accepts the annotated package


def test_a_generic_callee_propagates_narrowed_by_its_none_check(getters) -> None:  # type: ignore[no-untyped-def]
    functions, _ = getters
    assert _signature(functions, "_get_required") == ({"expected_type": "type[_T]"}, "_T")
    # the callee's shape carries over: a list of the class, not an instance of it
    assert _signature(functions, "_get_required_sequence_of_objects") == (
        {"target_item_type": "type[_FromMappingT]"}, "list[_FromMappingT]")


def test_items_checked_in_a_loop_make_a_sequence_of_the_class(getters) -> None:  # type: ignore[no-untyped-def]
    functions, _ = getters
    assert _signature(functions, "_get_sequence") == ({"expected_item_type": "type[_T]"}, "Sequence[_T] | None")


def test_a_converter_parameter_is_a_callable_to_a_second_type_variable(getters) -> None:  # type: ignore[no-untyped-def]
    functions, errors = getters
    assert _signature(functions, "_get_as") == (
        {"expected_type": "type[_T]", "target_type": "Callable[[_T], _T2]"}, "_T2 | None")
    # what the converter gives is handed on: not an instance of expected_type
    assert _signature(functions, "_get_required_as") == (
        {"expected_type": "type[_T]", "target_type": "Callable[[_T], _T2]"}, "_T2")
    # a list built by appending converted items
    assert _signature(functions, "_get_sequence_as") == (
        {"expected_item_type": "type[_T]", "target_item_type": "Callable[[_T], _T2]"}, "list[_T2] | None")
    assert errors == []


def test_a_function_passed_as_a_converter_accepts_the_class_named_for_its_input(getters) -> None:  # type: ignore[no-untyped-def]
    """_get_required_as(d, Mapping, _check_hashes, key) calls _check_hashes with a Mapping: the dict one
    caller passes is widened to its read-only protocol, else the generic call is an error."""
    functions, errors = getters
    assert functions["_check_hashes"].params == {"hashes": "Mapping[str, str]"}
    assert functions["_check_hashes"].returns == "Mapping[str, str]"
    assert errors == []


def test_a_parameter_given_a_generic_call_accepts_what_it_gives(getters) -> None:  # type: ignore[no-untyped-def]
    """Tool(settings=_get(d, Mapping, key)) passes a Mapping: the dict another caller passes is widened to
    its read-only protocol, else that call is an error and _get's return would be given up for it."""
    functions, errors = getters
    assert functions["Tool.__init__"].params == {"name": "str", "settings": "Mapping[str, str] | None"}
    assert functions["_get"].returns == "_T | None"
    assert errors == []


def test_a_classmethod_used_through_the_class_takes_the_protocol_bound_variable(getters) -> None:  # type: ignore[no-untyped-def]
    functions, errors = getters
    assert _signature(functions, "_get_object") == ({"target_type": "type[_FromMappingT]"}, "_FromMappingT | None")
    # every class passed returns Self from it: so does the Protocol's own stub
    assert functions["_FromMapping._from_dict"].returns == "Self"
    assert errors == []


def test_an_annotated_local_gives_the_return_and_carries_over(getters) -> None:  # type: ignore[no-untyped-def]
    functions, _ = getters
    assert _signature(functions, "_get_sequence_of_objects") == (
        {"target_item_type": "type[_FromMappingT]"}, "list[_FromMappingT] | None")
    assert _signature(functions, "_get_required_sequence_of_objects") == (
        {"target_item_type": "type[_FromMappingT]"}, "list[_FromMappingT]")


def test_a_value_from_a_call_given_the_class_is_not_an_instance_of_it(getters) -> None:  # type: ignore[no-untyped-def]
    """_count hands on what a non-generic helper computes from the class: an int, not a _T."""
    functions, _ = getters
    assert _signature(functions, "_count") == ({"expected_type": "type[str]"}, "int")


ONE_VARIABLE = '''
from typing import TypeVar

_T = TypeVar("_T")


class Version:
    def __init__(self, text: str) -> None:
        self.text = text


def _get(d, expected_type, key):
    value = d.get(key)
    if not isinstance(value, expected_type):
        raise TypeError(key)
    return value


def _get_as(d, expected_type, target_type, key):
    value = _get(d, expected_type, key)
    return target_type(value)


def load(d: dict[str, object]) -> Version:
    return _get_as(d, str, Version, "version")
'''


def test_no_converter_signature_without_a_second_type_variable(tmp_path: Path) -> None:
    files = _package(tmp_path / "pkg", {"m.py": ONE_VARIABLE})
    types = infer_package(files, root=files[0].parent, target_version=(3, 11))
    functions = types.for_file(files[1]).functions
    assert _signature(functions, "_get") == ({"expected_type": "type[_T]"}, "_T")
    assert "_T" not in (functions["_get_as"].returns or "")
    assert functions["_get_as"].params.get("target_type") != "Callable[[_T], _T]"
    assert _annotated_errors(files, types) == []


def test_a_converter_falls_with_the_class_parameter_that_binds_its_input() -> None:
    var, out = TypeRef("m._T"), TypeRef("m._T2")
    converter = TypeRef("collections.abc.Callable", (TypeRef("[]", (var,)), out))
    choices = Choices(params={("m", "get_as", "kind"): TypeRef("builtins.type", (var,)),
                              ("m", "get_as", "convert"): converter},
                      returns={("m", "get_as"): out},
                      fallbacks={("m", "get_as", "kind"): [TypeRef("builtins.type", (TypeRef("builtins.str"),))]},
                      type_vars={"m._T", "m._T2"})
    choices.unbind_type_vars()
    assert choices.params[("m", "get_as", "convert")] == converter and ("m", "get_as") in choices.returns
    choices.retreat(("m", "get_as", "kind"))
    choices.unbind_type_vars()
    assert ("m", "get_as", "convert") not in choices.params      # Callable[[_T], _T2] with _T unbound
    assert ("m", "get_as") not in choices.returns                # and so _T2


DOCUMENT = '''
from typing import TypeVar

_T = TypeVar("_T")


def _get(d, expected_type, key):
    value = d.get(key)
    if not isinstance(value, expected_type):
        raise TypeError(key)
    return value


def _get_required(d, expected_type, key):
    if (value := _get(d, expected_type, key)) is None:
        raise KeyError(key)
    return value


def name_and_size(d: dict[str, str | int]) -> tuple[str, int]:
    return _get_required(d, str, "name"), _get(d, int, "size")
'''


def test_a_getters_document_takes_values_of_any_class(tmp_path: Path) -> None:
    """Its values are checked against what the caller asks for: ``Mapping[str, object]``, here and in the
    getter built on it, rather than the ``Mapping[str, int | str]`` its one caller's dict gives."""
    files = _package(tmp_path / "pkg", {"m.py": DOCUMENT})
    types = infer_package(files, root=files[0].parent, target_version=(3, 11))
    functions = types.for_file(files[1]).functions
    assert functions["_get"].params == {"d": "Mapping[str, object]", "expected_type": "type[_T]", "key": "str"}
    assert functions["_get"].returns == "_T"
    assert functions["_get_required"].params == {"d": "Mapping[str, object]", "expected_type": "type[_T]",
                                                 "key": "str"}
    assert functions["_get_required"].returns == "_T"
    assert _annotated_errors(files, types) == []
