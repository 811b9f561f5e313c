"""The typed IR between the checker and LLVM (the model is mypyc's ir/irbuild/transform/codegen split).

ops.py      values and ops with their type, error kind and ownership; blocks and terminators
build.py    the checked AST of a fn to the IR (builder)
passes/     definite.py (unbound-local tests that cannot fire dropped), strings.py (f-strings joined
            without a tuple), errors.py (error branches and traceback entries), refcount.py
            (increfs/decrefs), specialize.py (fast paths)
scopes.py   which nodes and names are a fn's own (nested scopes stay Python)
closures.py nested defs, lambdas and generator expressions: template, code objects, cells
emit.py     a plain emitter to llvmlite
text.py     the stable text form the goldens compare
runtime.py  module-level constants and helpers (global loads, raise, unpacking)
runtime_ex.py  `*`/`**` unpacking, imports and MAKE_FUNCTION
fastpaths.py  C API calls done inline for exact builtin operands (compact ints, lists, tuples...)

Today it compiles the object tier: fns whose values are Python objects (see checker_object.py).
"""

from __future__ import annotations

from pymigrate.codegen.tir.build import build_function
from pymigrate.codegen.tir.closures import Closures, analyze
from pymigrate.codegen.tir.ops import FuncTIR
from pymigrate.codegen.tir.passes.definite import drop_bound_checks
from pymigrate.codegen.tir.passes.errors import insert_error_branches
from pymigrate.codegen.tir.passes.refcount import insert_ref_counts
from pymigrate.codegen.tir.passes.specialize import specialize
from pymigrate.codegen.tir.passes.strings import join_without_tuple
from pymigrate.codegen.tir.text import format_func

PASSES = ("build", "definite", "strings", "errors", "refcount", "specialize")


def lower_to_tir(name: str, key: str, node: object, upto: str = "specialize",
                 callees: dict[str, tuple[str, int]] | None = None, closures: Closures | None = None,
                 lazy: bool = False, class_cell: str | None = None) -> FuncTIR:
    """The IR of fn `node` after the passes up to `upto` (see PASSES); `callees`: the module's
    object-tier fns a call may enter directly (global name -> key, number of parameters); `closures` as
    the checker found them (else found here for a module-level def)."""
    import ast

    assert isinstance(node, ast.FunctionDef)
    if closures is None:
        closures = analyze(node, node, None, lazy)
    func = build_function(name, key, node, closures, class_cell)
    if upto == "build":
        return func
    drop_bound_checks(func)
    if upto == "definite":
        return func
    join_without_tuple(func)
    if upto == "strings":
        return func
    insert_error_branches(func)
    if upto == "errors":
        return func
    insert_ref_counts(func)
    if upto == "refcount":
        return func
    specialize(func, callees or {})
    return func


def tir_text(name: str, key: str, node: object, upto: str = "specialize") -> str:
    return format_func(lower_to_tir(name, key, node, upto))


__all__ = ["PASSES", "lower_to_tir", "tir_text"]
