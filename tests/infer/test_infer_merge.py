"""Precedence between evidence sources for one parameter (merge.param_candidates)."""

from __future__ import annotations

from pymigrate.migrate.infer.merge import param_candidates
from pymigrate.migrate.infer.model import NONE_T, TypeRef, union

INT, FLOAT, STR = TypeRef("builtins.int"), TypeRef("builtins.float"), TypeRef("builtins.str")
DICT = TypeRef("builtins.dict", (STR, STR))


def test_derived_types_only_widen_seen_ones_along_the_numeric_tower() -> None:
    # seen running with int and str; the package's own callers (typed by inferred, unverified slots) pass
    # a float, which widens int, and a dict, which is a generic helper's guess and must not leak in
    first = param_candidates({"trace": [INT, STR], "call-derived": [FLOAT, DICT]})[0]
    assert first == union([FLOAT, STR])


def test_derived_types_stand_alone_when_nothing_was_seen_running() -> None:
    assert param_candidates({"call-derived": [DICT, INT]})[0] == union([DICT, INT])


def test_none_only_tests_passed_is_the_first_fallback() -> None:
    candidates = param_candidates({"trace": [STR, STR, NONE_T], "default": [STR]})
    assert candidates[:2] == [union([STR, NONE_T]), STR]


def test_a_long_union_with_a_superclass_is_the_superclass() -> None:
    from pymigrate.migrate.infer.model import register_supertypes
    register_supertypes("pkg.errors.Missing", ["pkg.errors.Missing", "builtins.LookupError", "builtins.Exception",
                                               "builtins.BaseException", "builtins.object"])
    register_supertypes("builtins.KeyError", ["builtins.LookupError", "builtins.Exception"])
    register_supertypes("builtins.ValueError", ["builtins.Exception"])
    missing, exc, value = TypeRef("pkg.errors.Missing"), TypeRef("builtins.Exception"), TypeRef("builtins.ValueError")
    key = TypeRef("builtins.KeyError")
    assert union([missing, exc, value, key]) == exc
    assert union([missing, exc, STR]) == union([exc, STR])
    # a pair is written out: "a date or a datetime"
    assert union([missing, exc]) == TypeRef("|", (exc, missing))


def test_a_newtype_always_joins_its_base() -> None:
    from pymigrate.migrate.infer.model import register_supertypes
    register_supertypes("pkg.Name", ["builtins.str", "builtins.object"], newtype=True)
    assert union([TypeRef("pkg.Name"), STR]) == STR


def test_derived_containers_of_a_kind_seen_add_their_items() -> None:
    """Tests show a few items; a caller's Mapping with more kinds of values is believable, a str is not."""
    seen = TypeRef("builtins.dict", (STR, INT))
    wider = TypeRef("collections.abc.Mapping", (STR, union([INT, STR]) or INT))
    first = param_candidates({"trace": [seen], "call-derived": [wider, STR]})[0]
    assert first == union([seen, wider])
