"""The superset's compiled types and how annotations spell them."""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Ty:
    """A compiled type: a scalar, String, None, List[elem] or a struct by name."""

    kind: str  # "Int" | "Float64" | "Bool" | "String" | "None" | "List" | "Struct" | "Object"
    elem: Ty | None = None
    name: str = ""

    def __str__(self) -> str:
        if self.kind == "List":
            return f"List[{self.elem}]"
        if self.kind == "Struct":
            return self.name
        return self.kind

    @property
    def is_numeric(self) -> bool:
        return self.kind in ("Int", "Float64", "Bool")

    @property
    def needs_drop(self) -> bool:
        """True when a value owns memory or a reference that must be released."""
        return self.kind in ("List", "String", "Struct")

    def python_name(self) -> str:
        """How CPython callers see the type (used in TypeError messages)."""
        names = {"Int": "int", "Float64": "float", "Bool": "bool", "String": "str", "None": "None", "Object": "object"}
        if self.kind == "List":
            assert self.elem is not None
            return f"list[{self.elem.python_name()}]"
        if self.kind == "Struct":
            return self.name
        return names[self.kind]


INT = Ty("Int")
FLOAT = Ty("Float64")
BOOL = Ty("Bool")
STRING = Ty("String")
NONE = Ty("None")
OBJECT = Ty("Object")  # a reference to any Python object: the object tier (tir/)

SCALAR_NAMES = {
    "Int": INT,
    "int": INT,
    "Float64": FLOAT,
    "float": FLOAT,
    "Bool": BOOL,
    "bool": BOOL,
    "String": STRING,
    "str": STRING,
    "None": NONE,
}
LIST_NAMES = ("List", "list")


def list_of(elem: Ty) -> Ty:
    return Ty("List", elem)


def struct_ty(name: str) -> Ty:
    return Ty("Struct", name=name)


class AnnotationError(Exception):
    """An annotation that names no compiled type; the message says what to write."""

    def __init__(self, node: ast.AST, message: str, *, no_native_type: bool = False) -> None:
        super().__init__(message)
        self.node = node
        self.no_native_type = no_native_type  # names no native type at all (not a malformed one)


def parse_signature_annotation(node: ast.expr, structs: set[str]) -> Ty:
    """A fn parameter's or result's annotation: a native type, else `object` when the annotation
    names no native type (`object`, `dict`, `Optional[str]`, a class...); a malformed native one
    (`List` without its item type, `List[dict]`) stays an error. A quoted annotation reads as the same
    annotation unquoted (a forward reference to a class defined later is `object` too)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            inner = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            raise AnnotationError(node, f"cannot read the annotation {node.value!r}") from None
        return parse_signature_annotation(ast.copy_location(inner, node), structs)
    try:
        return parse_annotation(node, structs)
    except AnnotationError as exc:
        if exc.no_native_type and exc.node is node:
            return OBJECT
        raise


def parse_annotation(node: ast.expr, structs: set[str]) -> Ty:
    """Read a type annotation (Python or superset spelling) as a compiled type."""
    if isinstance(node, ast.Constant) and node.value is None:
        return NONE
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            inner = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            raise AnnotationError(node, f"cannot read the annotation {node.value!r}") from None
        ast.copy_location(inner, node)
        return parse_annotation(inner, structs)
    if isinstance(node, ast.Name):
        if node.id in SCALAR_NAMES:
            return SCALAR_NAMES[node.id]
        if node.id in structs:
            return struct_ty(node.id)
        if node.id in LIST_NAMES:
            raise AnnotationError(node, f"'{node.id}' needs an element type: write {node.id}[Int]")
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "typing":
        return parse_annotation(ast.copy_location(ast.Name(id=node.attr, ctx=ast.Load()), node), structs)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in LIST_NAMES:
        elem = parse_annotation(node.slice, structs)
        if elem.kind == "None":
            raise AnnotationError(node, "List[None] is not a compiled type")
        return list_of(elem)
    text = ast.unparse(node)
    raise AnnotationError(
        node,
        f"type '{text}' is not supported in a fn: use Int, Float64, Bool, String, List[T] or a struct",
        no_native_type=True,
    )
