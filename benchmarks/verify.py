"""Is an implementation's result the same as CPython's? Only then does its time count."""

from __future__ import annotations

import math


def mismatch(expected: object, actual: object, tolerance: float = 0.0) -> str | None:
    """None when `actual` equals CPython's `expected`, else a one-line reason.

    Integers must be equal and of the same type. Floats must be bit-for-bit equal when `tolerance`
    is 0.0 (the kernels do the same operations in the same order everywhere), or within that
    relative tolerance otherwise; NaN matches only NaN. Anything else is compared by type and repr.
    """
    if isinstance(expected, bool) or isinstance(actual, bool):
        same = type(expected) is type(actual) and expected == actual
        return None if same else f"expected {expected!r}, got {actual!r}"
    if isinstance(expected, int):
        if not isinstance(actual, int):
            return f"expected int {expected!r}, got {type(actual).__name__} {actual!r}"
        return None if actual == expected else f"expected {expected!r}, got {actual!r}"
    if isinstance(expected, float):
        if not isinstance(actual, float):
            return f"expected float {expected!r}, got {type(actual).__name__} {actual!r}"
        if math.isnan(expected) or math.isnan(actual):
            return None if math.isnan(expected) and math.isnan(actual) else f"expected {expected!r}, got {actual!r}"
        if tolerance == 0.0:
            return None if actual == expected else f"expected {expected!r}, got {actual!r} (exact match required)"
        if math.isclose(actual, expected, rel_tol=tolerance, abs_tol=0.0):
            return None
        return f"expected {expected!r}, got {actual!r} (relative tolerance {tolerance:g})"
    return None if expected == actual else f"expected {expected!r}, got {actual!r}"
