"""Types of literal expressions (defaults, constant returns) without asking mypy."""

from __future__ import annotations

import ast

from .model import NONE_T, TypeRef

_CONSTANTS: dict[type, str] = {bool: "builtins.bool", int: "builtins.int", float: "builtins.float",
                               str: "builtins.str", bytes: "builtins.bytes", complex: "builtins.complex"}


def literal_type(node: ast.expr) -> TypeRef | None:
    if isinstance(node, ast.Constant):
        if node.value is None:
            return NONE_T
        name = _CONSTANTS.get(type(node.value))
        return None if name is None else TypeRef(name)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = literal_type(node.operand)
        return inner if inner is not None and inner.name in ("builtins.int", "builtins.float") else None
    if isinstance(node, ast.JoinedStr):
        return TypeRef("builtins.str")
    return None
