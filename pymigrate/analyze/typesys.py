"""The types a `fn` can use, as the analyzer models them: short strings, cheap to compare and pickle.

"int", "float", "bool", "str", "None", "list[T]", "struct:Name"; "?" is a type the function
alone does not tell (a missing annotation), "!" an expression already reported as unsupported.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from pymigrate.analyze.facts import SCALAR_TYPES

INT, FLOAT, BOOL, STR, NONE = "int", "float", "bool", "str", "None"
UNKNOWN, BAD = "?", "!"
NUMERIC = (INT, FLOAT)


def list_of(elem: str) -> str:
    return f"list[{elem}]"


def is_list(t: str) -> bool:
    return t.startswith("list[")


def element(t: str) -> str:
    return t[5:-1]


def struct_of(name: str) -> str:
    return f"struct:{name}"


def struct_name(t: str) -> str | None:
    return t[7:] if t.startswith("struct:") else None


def show(t: str) -> str:
    name = struct_name(t)
    return name if name is not None else t


def vague(t: str) -> bool:
    """A type that hides an unknown part: no verdict can be given on it."""
    return UNKNOWN in t or BAD in t


@dataclass(frozen=True)
class Annotation:
    type: str | None  # None when unsupported
    any: bool = False
    text: str = ""


def annotation(node: ast.expr, structs: set[str]) -> Annotation:
    """Read an annotation; unsupported ones keep their source text for the message."""
    text = ast.unparse(node)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            parsed = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return Annotation(None, text=text)
        return annotation(parsed, structs)
    if isinstance(node, ast.Constant) and node.value is None:
        return Annotation(NONE, text=text)
    if isinstance(node, ast.Name):
        if node.id in SCALAR_TYPES:
            return Annotation(SCALAR_TYPES[node.id], text=text)
        if node.id == "Any":
            return Annotation(None, any=True, text=text)
        if node.id in structs:
            return Annotation(struct_of(node.id), text=text)
        return Annotation(None, text=text)
    if isinstance(node, ast.Attribute) and node.attr == "Any":
        return Annotation(None, any=True, text=text)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in ("list", "List"):
        inner = annotation(node.slice, structs)
        if inner.type is not None and inner.type != NONE:
            return Annotation(list_of(inner.type), text=text)
        return Annotation(None, any=inner.any, text=text)
    return Annotation(None, text=text)
