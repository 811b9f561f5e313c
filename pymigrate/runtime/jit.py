"""In-process loading of a compiled module: JIT with llvmlite, init, then the Python side."""

from __future__ import annotations

import ctypes
import types

import llvmlite.binding as llvm  # type: ignore[import-untyped]

from pymigrate.codegen import CompiledModule
from pymigrate.codegen.target import host_target_machine, optimize

_ENGINES: list[llvm.ExecutionEngine] = []  # kept alive for the process: natives live in their memory

_INIT = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.py_object)


def compile_native(compiled: CompiledModule) -> llvm.ExecutionEngine:
    """Parse, verify, optimize (host CPU) and JIT the module's LLVM IR."""
    mod = llvm.parse_assembly(compiled.llvm_ir)
    mod.verify()
    optimize(mod, compiled.opt_level)
    engine = llvm.create_mcjit_compiler(mod, host_target_machine(compiled.opt_level))
    engine.finalize_object()
    engine.run_static_constructors()
    _ENGINES.append(engine)
    return engine


def load(compiled: CompiledModule, module: types.ModuleType) -> None:
    """Give `module` the compiled fns and structs, then run its Python side in its namespace."""
    engine = compile_native(compiled)
    addr = engine.get_function_address(compiled.init_symbol)
    init = _INIT(addr)
    if init(module) != 0:  # PYFUNCTYPE re-raises the exception init set
        raise ImportError(f"initialising compiled module {module.__name__} failed")
    code = compile(compiled.python_tree, getattr(module, "__file__", None) or module.__name__, "exec")
    exec(code, module.__dict__)
