"""The typed IR between the checker and LLVM (the model is mypyc's ir/irbuild/transform/codegen split).

ops.py      values and ops with their type, error kind and ownership; blocks and terminators
build.py    the checked AST of a fn to the IR (builder)
passes/     errors.py (error branches and traceback entries), refcount.py (increfs/decrefs)
emit.py     a plain emitter to llvmlite
text.py     the stable text form the goldens compare
runtime.py  module-level constants and helpers (global loads, raise, unpacking)

Today it compiles the object tier: fns whose values are Python objects (see checker_object.py).
"""

from __future__ import annotations

from pymigrate.codegen.tir.build import build_function
from pymigrate.codegen.tir.ops import FuncTIR
from pymigrate.codegen.tir.passes.errors import insert_error_branches
from pymigrate.codegen.tir.passes.refcount import insert_ref_counts
from pymigrate.codegen.tir.text import format_func

PASSES = ("build", "errors", "refcount")


def lower_to_tir(name: str, key: str, node: object, upto: str = "refcount") -> FuncTIR:
    """The IR of fn `node` after the passes up to `upto` (see PASSES)."""
    import ast

    assert isinstance(node, ast.FunctionDef)
    func = build_function(name, key, node)
    if upto == "build":
        return func
    insert_error_branches(func)
    if upto == "errors":
        return func
    insert_ref_counts(func)
    return func


def tir_text(name: str, key: str, node: object, upto: str = "refcount") -> str:
    return format_func(lower_to_tir(name, key, node, upto))


__all__ = ["PASSES", "lower_to_tir", "tir_text"]
