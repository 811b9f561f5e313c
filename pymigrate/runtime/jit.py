"""In-process loading of a compiled module: JIT with llvmlite, init, then the Python side."""

from __future__ import annotations

import ctypes
import types

import llvmlite.binding as llvm  # type: ignore[import-untyped]

from pymigrate.codegen import CompiledModule
from pymigrate.codegen.target import host_target_machine, optimize

_ENGINES: list[llvm.ExecutionEngine] = []  # kept alive for the process: natives live in their memory

_INIT = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.py_object)
_PROCESS = ctypes.CDLL(None)
_PRIVATE_PREFIX = "pymigrate.extern."


def _bind_data_symbols(mod: llvm.ModuleRef) -> None:
    """Resolve the C API's data symbols (`PyExc_*`, `_Py_NoneStruct`, ...) to this process's own.

    LLVM's symbol table is one per process and shared with every other llvmlite user: Numba, for
    one, registers `PyExc_ValueError` as the address of the type object rather than of the C
    variable that points to it, and code loading through the variable would then crash. Each
    external variable is renamed to a private name bound to the address the dynamic linker gives,
    which no other library can redefine. Functions keep their names, so LLVM still recognizes
    libm calls for folding and vectorizing.
    """
    for gv in list(mod.global_variables):
        if not gv.is_declaration or gv.name.startswith(_PRIVATE_PREFIX):
            continue
        try:
            address = ctypes.addressof(ctypes.c_char.in_dll(_PROCESS, gv.name))
        except ValueError:
            continue  # not in the process: leave it to the JIT's own resolution (and its error)
        private = _PRIVATE_PREFIX + gv.name
        llvm.add_symbol(private, address)
        gv.name = private


def compile_native(compiled: CompiledModule) -> llvm.ExecutionEngine:
    """Parse, verify, optimize (host CPU) and JIT the module's LLVM IR."""
    mod = llvm.parse_assembly(compiled.llvm_ir)
    _bind_data_symbols(mod)
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
    # dont_inherit: the module's own future imports decide (this file's `annotations` must not leak in)
    code = compile(compiled.python_tree, getattr(module, "__file__", None) or module.__name__, "exec", dont_inherit=True)
    exec(code, module.__dict__)
