"""The host target: one LLVM initialisation and target machine per process."""

from __future__ import annotations

import functools

import llvmlite.binding as llvm  # type: ignore[import-untyped]


@functools.cache
def host_target_machine(opt_level: int = 3) -> llvm.TargetMachine:
    """Target machine for this CPU (its features enabled), used for the JIT and for .so builds."""
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    target = llvm.Target.from_triple(llvm.get_process_triple())
    return target.create_target_machine(
        cpu=llvm.get_host_cpu_name(),
        features=llvm.get_host_cpu_features().flatten(),
        opt=opt_level,
        reloc="pic",
        codemodel="default",
    )


@functools.cache
def host_target_data() -> llvm.TargetData:
    return llvm.create_target_data(str(host_target_machine().target_data))


def optimize(module: llvm.ModuleRef, opt_level: int = 3) -> None:
    """Run LLVM's standard pipeline (inlining, vectorisation, unrolling) at opt_level."""
    if opt_level <= 0:
        return
    pto = llvm.create_pipeline_tuning_options(speed_level=opt_level)
    pto.loop_vectorization = opt_level >= 2
    pto.slp_vectorization = opt_level >= 2
    pto.loop_unrolling = True
    pb = llvm.create_pass_builder(host_target_machine(opt_level), pto)
    mpm = pb.getModulePassManager()
    mpm.run(module, pb)
