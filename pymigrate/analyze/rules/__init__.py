"""The rule catalogue: every code the analyzer can report, with its one message.

Codes are stable (a code is never reused for another meaning; RETIRED lists the ones dropped). Families:
PM1xx keyword identifiers, PM2xx annotations, PM3xx `fn` blockers, PM4xx `struct` blockers,
PM5xx integer-overflow risk. Each code has a page docs/rules/<CODE>.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    message: str  # str.format template; the fields are the rule's facts
    severity: str  # "error" | "warning" | "info"

    @property
    def family(self) -> str:
        return FAMILIES[self.code[:3]]


FAMILIES = {
    "PM1": "keyword identifiers",
    "PM2": "annotations",
    "PM3": "fn blockers",
    "PM4": "struct blockers",
    "PM5": "integer overflow",
}

_RULES = (
    # PM1xx: names spelled like superset keywords must be backticked in the superset.
    Rule("PM101", "keyword-binding", "`{name}` is a superset keyword: write the binding as `` `{name}` ``", "error"),
    Rule("PM102", "keyword-parameter", "parameter `{name}` is a superset keyword: write it as `` `{name}` ``", "error"),
    Rule("PM103", "keyword-argument", "keyword argument `{name}=` is a superset keyword: write `` `{name}`= ``", "error"),
    Rule("PM104", "keyword-attribute", "attribute `.{name}` is a superset keyword: write `` .`{name}` ``", "error"),
    Rule("PM105", "keyword-import", "imported name `{name}` is a superset keyword: write it as `` `{name}` ``", "error"),
    Rule("PM106", "keyword-reference", "`{name}` is a superset keyword: write the reference as `` `{name}` ``", "error"),
    # PM2xx: annotations a `fn` needs.
    Rule("PM201", "param-annotation-inferable", "parameter `{name}` has no annotation; `{type}` can be inferred from its default", "info"),
    Rule("PM202", "param-annotation-missing", "parameter `{name}` has no annotation and none can be inferred from the function alone", "info"),
    Rule("PM203", "return-annotation-inferable", "`{name}` has no return annotation; `{type}` can be inferred from its body", "info"),
    Rule("PM204", "return-annotation-missing", "`{name}` has no return annotation and none can be inferred from its body", "info"),
    Rule("PM205", "field-type-unknown", "field `{name}` of `{cls}` has no annotation and its type cannot be inferred", "info"),
    # PM3xx: reasons a function cannot become a `fn`.
    Rule("PM301", "eval-exec", "`{name}()` runs code built at run time; a `fn` cannot", "warning"),
    Rule("PM302", "namespace-access", "`{name}()` exposes a namespace as a dict; a `fn` has none", "warning"),
    Rule("PM303", "computed-attribute", "`{name}()` with a computed attribute name; a `fn` needs names known at compile time", "warning"),
    Rule("PM304", "variadic-parameter", "`{name}` collects arguments; a `fn` takes a fixed list of typed parameters", "warning"),
    Rule("PM305", "generator", "`{name}` is a generator (`yield`); a `fn` returns one value", "warning"),
    Rule("PM306", "async", "`{name}` uses async (`{construct}`); a `fn` is synchronous", "warning"),
    Rule("PM307", "decorator", "`{name}` is decorated with `{decorator}`; a `fn` cannot be wrapped at run time", "warning"),
    Rule("PM308", "closure-rebinding", "nested function `{inner}` captures `{name}`, which is rebound; a `fn` has no closures", "warning"),
    Rule("PM309", "global-write", "`{kind} {name}` writes outside the function; a `fn` only writes its locals and `mut` parameters", "warning"),
    Rule("PM310", "calls-blocked", "calls `{name}`, which cannot become a `fn`", "warning"),
    Rule("PM311", "any-type", "`{where}` is typed `Any`; a `fn` needs a concrete type", "warning"),
    Rule("PM312", "unsupported-type", "`{where}` is typed `{type}`, which the compiler does not support (use int, float, bool, str, list[T] or another struct)", "warning"),
    Rule("PM313", "try-statement", "`try` statements are not supported in a `fn`", "warning"),
    Rule("PM314", "parameter-kind", "parameter `{name}`: {reason}", "warning"),
    Rule("PM315", "not-upgradable-scope", "`{name}` is {reason}; only module-level functions and methods of structs become `fn`", "warning"),
    Rule("PM316", "unsupported-construct", "{construct} is not supported in a `fn`", "warning"),
    Rule("PM317", "unsupported-call", "call to `{name}`: only other `fn`s of the module, struct constructors, `math`, len/abs/min/max/float/int/bool and list methods are supported", "warning"),
    Rule("PM318", "type-error", "{what}", "warning"),
    Rule("PM319", "uses-blocked-class", "uses class `{name}`, which cannot become a struct", "warning"),
    Rule("PM321", "mypy-error", "mypy: {message}", "warning"),
    Rule("PM320", "compiler-rejects", "the compiler rejects `{name}` as a `fn`/struct: {reason}", "warning"),
    Rule("PM323", "rebound-builtin", "`{name}` {reason}, so CPython may find another object there than the builtin a `fn` would use", "warning"),
    # PM4xx: reasons a class cannot become a `struct`.
    Rule("PM401", "inheritance", "`{name}` inherits from `{base}`; a struct has no base classes", "warning"),
    Rule("PM402", "metaclass", "`{name}` passes `{keyword}=` to its class statement; a struct has no metaclass", "warning"),
    Rule("PM403", "attribute-outside-init", "`self.{attr}` is first set in `{method}`, not `__init__`; struct fields are fixed by `__init__`", "warning"),
    Rule("PM404", "attribute-hook", "`{name}.{hook}` customizes attribute access; a struct's fields are fixed", "warning"),
    Rule("PM405", "class-attribute-mutated", "class attribute `{cls}.{attr}` is assigned at run time", "warning"),
    Rule("PM406", "reference-semantics", "`{alias}` aliases a `{cls}` instance that is then mutated; a struct is copied on assignment, so the result would change", "warning"),
    Rule("PM407", "class-decorator", "`{name}` is decorated with `{decorator}`; a struct cannot be wrapped at run time", "warning"),
    Rule("PM408", "class-body", "{construct} in the body of `{name}`; a struct body holds field declarations and methods only", "warning"),
    Rule("PM409", "method-not-ready", "method `{method}` cannot become a `fn` ({reason})", "warning"),
    Rule("PM410", "no-init", "`{name}` has no `__init__`; a struct is built by its `fn __init__(out self, ...)`", "warning"),
    Rule("PM411", "identity-equality", "`{name}` is a plain class: it compares and hashes by identity, a struct by value (make it a `@dataclass` if value equality is meant)", "warning"),
    Rule("PM412", "special-method", "`{name}.{method}` is a special method; a struct gets its own `__repr__` and `__eq__` and takes `__init__` only", "warning"),
    Rule("PM413", "class-not-bound-once", "`{name}` is {reason}; a struct is a module-level class whose name means that struct whenever code runs", "warning"),
    # PM5xx: values that may exceed 64 bits (past them a fn runs its Python reading).
    Rule("PM501", "int-power", "integer `**` may exceed 64 bits; a `fn` then runs its Python reading (exact, not faster)", "warning"),
    Rule("PM502", "int-product-loop", "`{name}` is multiplied in a loop and may exceed 64 bits; a `fn` then runs its Python reading (exact, not faster)", "warning"),
    Rule("PM503", "int-recursive-product", "`{name}` multiplies by its own recursive result and may exceed 64 bits; a `fn` then runs its Python reading (exact, not faster)", "warning"),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
RETIRED = frozenset({"PM322"})  # change-then-raise: compiled code writes `mut` arguments back on errors too


def selected(code: str, select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """Ruff-style prefix selection: `PM3` selects PM301..PM318, `PM301` just that one."""
    if select and not any(code.startswith(prefix) for prefix in select):
        return False
    return not any(code.startswith(prefix) for prefix in ignore)
