"""What a fn's missing annotation means: the checker reads it, the migrator never writes it.

A `fn` keeps the def's own signature, so its Python reading is the original's and a type checker's
verdict on the package and its callers cannot change; a parameter without a type is `object`, a
missing result type `None` when no path returns a value and `object` otherwise.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterable

from pymigrate.codegen.types import OBJECT, AnnotationError, parse_signature_annotation


@dataclass(frozen=True)
class Fill:
    """What a module-level fn's missing annotations mean, as the checker reads them (none is written).

    A parameter without a type is `object` (any Python value, every operation through the C API),
    a missing result type is `None` when no path returns a value and `object` otherwise. A fn with
    `object` anywhere in its signature is object-tier: its parameters take no convention (the object
    itself is passed, as in Python). The probe, the checker and the migrator all read this one rule.
    """

    params: tuple[str, ...]  # parameters without an annotation: `object`
    returns: str | None  # the missing result type ("None" or "object"), None when annotated
    object_tier: bool
    declared: bool  # an annotation the def has names no native type: object-tier before anything is filled


def fill(func: ast.FunctionDef, classes: Iterable[str]) -> Fill:
    """What this module-level def's missing annotations mean once it is a fn, and whether it is object-tier.

    `classes` are the module's classes: one named in the signature may become a struct (a native type),
    so it does not make the fn object-tier here; the probe then asks for the struct, as before."""
    a = func.args
    params = tuple(x.arg for x in a.posonlyargs + a.args + a.kwonlyargs if x.annotation is None)
    returns = None if func.returns is not None else ("object" if returns_value(func) else "None")
    names = set(classes)
    declared = any(
        is_object(x.annotation, names) for x in a.posonlyargs + a.args + a.kwonlyargs if x.annotation is not None
    ) or (func.returns is not None and is_object(func.returns, names))
    return Fill(params, returns, declared or bool(params) or returns == "object", declared)


def is_object(annotation: ast.expr, classes: set[str]) -> bool:
    """Does the annotation name a type with no native representation?"""
    try:
        return parse_signature_annotation(annotation, classes) == OBJECT
    except AnnotationError:
        return False


def returns_value(func: ast.FunctionDef) -> bool:
    """A `return <value>` (other than `return None`) or a `yield` in the def's own body, nested scopes left
    out (the migrator's returns_nothing reads the same)."""
    todo: list[ast.AST] = list(func.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Return) and node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None
        ) or isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        todo.extend(ast.iter_child_nodes(node))
    return False
