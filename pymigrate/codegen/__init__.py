"""The compiler: superset modules to native code with CPython bindings.

Pipeline: checker (types every fn/struct, the authority on what compiles) ->
typed program (ir.py) -> LLVM IR (lower.py, lower_fn.py) -> bindings
(bindings.py: wrappers and init) + Python glue (glue.py).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from pymigrate.codegen.diagnostics import CompileError, Diagnostic
from pymigrate.codegen.marks import MarkedModule

__all__ = ["CompileError", "CompiledModule", "Diagnostic", "compile_module"]


@dataclass
class CompiledModule:
    llvm_ir: str
    init_symbol: str
    python_tree: ast.Module
    functions: list[str] = field(default_factory=list)
    structs: list[str] = field(default_factory=list)
    opt_level: int = 3


def init_symbol_for(module_name: str) -> str:
    return "pymigrate_init_" + re.sub(r"\W", "_", module_name)


def compile_module(result: MarkedModule, module_name: str, *, opt_level: int = 3,
                   tier_rule: bool = False) -> CompiledModule:
    """Check and compile a parsed superset module (see docs/contracts.md section 4)."""
    from pymigrate.codegen.bindings import Bindings, plan_slots
    from pymigrate.codegen.checker import check_module
    from pymigrate.codegen.glue import python_tree
    from pymigrate.codegen.lower import ModuleLowering
    from pymigrate.codegen.lower_fn import FunctionLowering
    from pymigrate.codegen.tir.entry import compile_object_fn

    mir = check_module(result, tier_rule=tier_rule)
    ml = ModuleLowering(mir, module_name)
    for func in mir.all_functions():
        if func.is_object:
            compile_object_fn(ml, func)
        else:
            FunctionLowering(ml, func).run()
    plan = plan_slots(mir)
    symbol = init_symbol_for(module_name)
    Bindings(ml, plan).init_fn(symbol)
    tree = python_tree(result.tree, mir, plan)
    return CompiledModule(
        llvm_ir=str(ml.module),
        init_symbol=symbol,
        python_tree=tree,
        functions=list(mir.functions),
        structs=list(mir.structs),
        opt_level=opt_level,
    )
