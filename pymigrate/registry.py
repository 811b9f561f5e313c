"""What a compiled `fn` may use of Python's builtins and of the `math` module.

One table read by the compiler's checker (what compiles), the analyzer (what it predicts will
compile, and the types it gives the results) and the lowering, so that they cannot disagree on
whether `math.hypot` or `min` is supported.
"""

from __future__ import annotations

BUILTIN_CALLS = frozenset({"len", "abs", "min", "max", "float", "int", "bool", "range"})
"""The builtin functions a `fn` may call."""

EXCEPTIONS = (
    "Exception", "ArithmeticError", "AssertionError", "IndexError", "KeyError", "LookupError",
    "NotImplementedError", "OverflowError", "RuntimeError", "TypeError", "ValueError",
    "ZeroDivisionError",
)  # fmt: skip
"""The builtin exceptions a `fn` may raise (and catch by name in `raises`)."""

_FLOAT_OF_FLOAT = (
    "sqrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
    "asinh", "acosh", "atanh", "exp", "expm1", "log2", "log10", "log1p", "fabs", "log",
)  # fmt: skip

MATH_FUNCTIONS: dict[str, tuple[int, str]] = {
    **{name: (1, "Float64") for name in _FLOAT_OF_FLOAT},
    "floor": (1, "Int"),
    "ceil": (1, "Int"),
    "trunc": (1, "Int"),
    "isnan": (1, "Bool"),
    "isinf": (1, "Bool"),
    "isfinite": (1, "Bool"),
    "atan2": (2, "Float64"),
    "pow": (2, "Float64"),
    "hypot": (2, "Float64"),
    "copysign": (2, "Float64"),
    "fmod": (2, "Float64"),
}
"""The `math` functions a `fn` may call: name -> (argument count, result type as the superset spells it)."""

MATH_CONSTANTS = frozenset({"pi", "e", "tau", "inf", "nan"})
"""The `math` constants a `fn` may read."""
