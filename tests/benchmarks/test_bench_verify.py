"""The result check that gates every timing: same value and type as CPython's."""

import math

import pytest

from benchmarks.verify import mismatch


@pytest.mark.parametrize(
    "expected, actual",
    [(148933, 148933), (-0.16907807065935157, -0.16907807065935157), (math.nan, math.nan), (True, True), ("a", "a")],
)
def test_equal_results_pass(expected: object, actual: object) -> None:
    assert mismatch(expected, actual) is None


@pytest.mark.parametrize(
    "expected, actual, fragment",
    [
        (148933, 148932, "expected 148933, got 148932"),
        (2, 2.0, "expected int 2, got float 2.0"),
        (2.0, 2, "expected float 2.0, got int 2"),
        (1, True, "expected 1, got True"),
        (0.1 + 0.2, 0.3, "exact match required"),
        (1.0, math.nan, "expected 1.0, got nan"),
        (math.nan, 1.0, "expected nan, got 1.0"),
    ],
)
def test_different_results_fail_with_reason(expected: object, actual: object, fragment: str) -> None:
    reason = mismatch(expected, actual)
    assert reason is not None and fragment in reason


def test_tolerance_is_relative_and_only_for_floats() -> None:
    assert mismatch(1.0, 1.0 + 1e-13, tolerance=1e-12) is None
    assert mismatch(1e6, 1e6 + 1e-3, tolerance=1e-12) == "expected 1000000.0, got 1000000.001 (relative tolerance 1e-12)"
    assert mismatch(0.0, 1e-300, tolerance=1e-12) is not None  # relative: no absolute slack around zero
    assert mismatch(10, 11, tolerance=0.5) == "expected 10, got 11"
