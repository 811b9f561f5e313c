"""PM5xx: integer results that may not fit in 64 bits.

A `fn`'s Int is 64 bits natively; where Python's int grows past them the call runs the fn's Python
reading (exact, but without the speedup), so these patterns lose the gain for large inputs. The checker calls these predicates with the types it has worked out.
"""

from __future__ import annotations

import ast

SMALL_EXPONENTS = (0, 1, 2)


def risky_power(exponent: ast.expr) -> bool:
    """PM501: `int ** e` unless e is a literal 0, 1 or 2."""
    return not (
        isinstance(exponent, ast.Constant)
        and type(exponent.value) is int
        and exponent.value in SMALL_EXPONENTS
    )


def product_into(target: str, value: ast.expr) -> bool:
    """PM502 (with the loop test done by the caller): `x = x * e` or `x = e * x`."""
    return (
        isinstance(value, ast.BinOp)
        and isinstance(value.op, ast.Mult)
        and any(isinstance(side, ast.Name) and side.id == target for side in (value.left, value.right))
    )


def recursive_product(value: ast.expr, own_name: str) -> bool:
    """PM503: a product one of whose factors is a direct recursive call."""
    for node in ast.walk(value):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            for side in (node.left, node.right):
                if (
                    isinstance(side, ast.Call)
                    and isinstance(side.func, ast.Name)
                    and side.func.id == own_name
                ):
                    return True
    return False
