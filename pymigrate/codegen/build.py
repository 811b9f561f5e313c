"""Ahead-of-time build: a compiled `.pys` module becomes a real CPython extension module.

The compiler's LLVM module is optimized and emitted as position-independent object code by
llvmlite; a small C entry point (`PyInit_<name>`, multi-phase) is compiled and linked with it by
the same C toolchain and flags that setuptools would use (sysconfig's CC, CFLAGS, CCSHARED and
LDSHARED). The entry point creates the module, calls the compiler's init symbol (which adds every
compiled `fn` and `struct`), then runs the module's plain-Python remainder from a marshalled code
object embedded in the `.so`, so the result imports in an interpreter without pymigrate and its
tracebacks keep the `.pys` line numbers.

The same `.so` is what the import hook caches (see pymigrate.runtime.cache): it additionally
exports `pymigrate_exec`, which runs the module body on an existing module object.
"""

from __future__ import annotations

import ast
import marshal
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from pymigrate import atomic
from pymigrate.abi import EXEC_SYMBOL

if TYPE_CHECKING:
    from pymigrate.codegen import CompiledModule
    from pymigrate.superset import ParseResult

PACKAGE_INIT_NAMES = ("__init__.py", "__init__.pys")


class BuildError(Exception):
    """A build step failed; the message says which file, which step and what to do."""


@dataclass(frozen=True)
class Toolchain:
    """The C compiler and linker commands, as sysconfig (or CC/LDSHARED/CFLAGS) give them."""

    cc: tuple[str, ...]
    cflags: tuple[str, ...]
    ldshared: tuple[str, ...]
    include_dirs: tuple[str, ...]

    @classmethod
    def from_sysconfig(cls) -> Toolchain:
        """The toolchain setuptools would use for this interpreter (environment overrides apply)."""

        def var(name: str) -> str:
            value = os.environ.get(name)
            if value is None:
                value = sysconfig.get_config_var(name) or ""
            return str(value)

        cflags = [*shlex.split(var("CFLAGS")), *shlex.split(str(sysconfig.get_config_var("CCSHARED") or ""))]
        includes = [sysconfig.get_paths()["include"], sysconfig.get_paths()["platinclude"]]
        return cls(
            cc=tuple(shlex.split(var("CC") or "cc")),
            cflags=tuple(cflags),
            ldshared=tuple(shlex.split(var("LDSHARED") or "cc -shared")),
            include_dirs=tuple(dict.fromkeys(includes)),
        )

    def missing(self) -> str | None:
        """Why this toolchain cannot build (a missing program or header), or None if it can."""
        for program in (self.cc[0], self.ldshared[0]):
            if shutil.which(program) is None:
                return f"C compiler {program!r} not found on PATH (install gcc or clang, or set CC/LDSHARED)"
        if not any(Path(d, "Python.h").is_file() for d in self.include_dirs):
            return f"Python.h not found in {', '.join(self.include_dirs)} (install the Python development headers)"
        return None


def extension_suffix() -> str:
    """This interpreter's extension-module suffix, e.g. `.cpython-311-x86_64-linux-gnu.so`."""
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    return str(suffix) if suffix else ".so"


def module_name_for(source: Path) -> str:
    """The dotted module name of a `.pys` file, from the package directories above it."""
    source = source.resolve()
    parts = [] if source.stem == "__init__" else [source.stem]
    directory = source.parent
    while any((directory / init).is_file() for init in PACKAGE_INIT_NAMES):
        parts.insert(0, directory.name)
        if directory.parent == directory:
            break
        directory = directory.parent
    if not parts:
        raise BuildError(f"{source}: an __init__ file outside any package has no module name")
    return ".".join(parts)


def check_module_name(name: str, source: Path) -> None:
    """Refuse, before any code is generated, a module name Python could never import.

    Each dotted part must be an ASCII identifier and not a keyword: the name becomes a C
    identifier (`PyInit_<name>`), a C string and an LLVM symbol, where anything else (a hyphen,
    a leading digit, a newline) would be invalid or injected text.
    """
    import keyword

    for part in name.split("."):
        shown = repr(part) if not part.isprintable() else f"'{part}'"
        if not part.isidentifier():
            raise BuildError(
                f"{source}: error: module name {shown} is not a valid Python identifier (letters, digits and "
                f"underscores, not starting with a digit); rename the file or its package directory"
            )
        if not part.isascii():
            raise BuildError(f"{source}: error: module name {shown} is not ASCII: pymigrate builds only ASCII module "
                             f"names (its entry point is PyInit_<name>); rename the file or its package directory")
        if keyword.iskeyword(part):
            raise BuildError(f"{source}: error: module name {shown} is a Python keyword; rename the file")


def extension_path_for(source: Path) -> Path:
    """Where `pymigrate build` writes the extension module for `source` (beside it)."""
    return source.with_name(source.stem + extension_suffix())


# ---------------------------------------------------------------------------------------------
# LLVM IR -> object code


def _llvm() -> Any:
    """llvmlite's binding layer, imported only when something is compiled."""
    import llvmlite.binding as llvm  # type: ignore[import-untyped]

    return llvm


def emit_object(llvm_ir: str, *, cpu: str = "host", opt_level: int = 3, name: str = "<module>") -> bytes:
    """Optimize `llvm_ir` and emit position-independent object code for this machine.

    `cpu` is "host" (this CPU's name and features: fastest, not portable to older CPUs),
    "generic" (the baseline of the target architecture), or an LLVM CPU name.
    """
    from pymigrate.codegen.target import host_target_machine, optimize

    llvm = _llvm()
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    try:
        module = llvm.parse_assembly(llvm_ir)
        module.verify()
    except RuntimeError as exc:
        raise BuildError(f"{name}: the compiler produced invalid LLVM IR: {exc}") from exc
    level = max(0, min(opt_level, 3))
    if cpu == "host":
        # The JIT's own machine and pipeline: the .so runs the code the JIT would run.
        machine = host_target_machine(level)
        module.triple = machine.triple
        module.data_layout = str(machine.target_data)
        optimize(module, level)
        return bytes(machine.emit_object(module))
    target = llvm.Target.from_triple(llvm.get_process_triple())
    machine = target.create_target_machine(
        cpu="" if cpu == "generic" else cpu, features="", opt=level, reloc="pic", codemodel="default"
    )
    module.triple = machine.triple
    module.data_layout = str(machine.target_data)
    if level > 0:
        tuning = llvm.create_pipeline_tuning_options(speed_level=level)
        tuning.loop_vectorization = tuning.slp_vectorization = level >= 2
        tuning.loop_unrolling = True
        builder = llvm.create_pass_builder(machine, tuning)
        builder.getModulePassManager().run(module, builder)
    return bytes(machine.emit_object(module))


# ---------------------------------------------------------------------------------------------
# The C entry point


def _c_bytes(data: bytes) -> str:
    rows = []
    for start in range(0, len(data), 24):
        rows.append("    " + ",".join(f"0x{b:02x}" for b in data[start : start + 24]) + ",")
    return "\n".join(rows) if rows else "    0"


def _c_string(text: str) -> str:
    out = []
    for ch in text.encode("utf-8"):
        if 32 <= ch < 127 and ch not in (ord('"'), ord("\\"), ord("?")):
            out.append(chr(ch))
        else:
            out.append(f"\\{ch:03o}")
    return '"' + "".join(out) + '"'


def render_entry(module_name: str, init_symbol: str, code: bytes, source_name: str) -> str:
    """C source of the module's entry point: PyInit_<last name> and pymigrate_exec."""
    last = module_name.rpartition(".")[2]
    if not last.isidentifier() or not last.isascii():
        raise BuildError(f"{module_name}: only ASCII module names can be built as extension modules")
    if not init_symbol.isidentifier() or not init_symbol.isascii():
        raise BuildError(f"{module_name}: init symbol {init_symbol!r} is not a C identifier")
    return f"""\
/* Generated by pymigrate build: entry point of {module_name}. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>

extern int {init_symbol}(PyObject *module);

/* The module's plain-Python remainder, marshalled by this interpreter version. */
static const unsigned char pm_code[] = {{
{_c_bytes(code)}
}};

/* The .pys this module was built from, looked up beside the module's __file__. */
static PyObject *pm_source_path(PyObject *module) {{
    PyObject *file = PyModule_GetFilenameObject(module);
    if (file == NULL) {{
        PyErr_Clear();
        return NULL;
    }}
    Py_ssize_t n = PyUnicode_GetLength(file);
    PyObject *suffix = PyUnicode_FromString(".pys");
    int is_source = suffix != NULL && PyUnicode_Tailmatch(file, suffix, 0, n, 1) == 1;
    Py_XDECREF(suffix);
    if (is_source) {{
        return file;
    }}
    Py_ssize_t slash = PyUnicode_FindChar(file, '/', 0, n, -1);
    PyObject *dir = PyUnicode_Substring(file, 0, slash + 1);
    Py_DECREF(file);
    if (dir == NULL) {{
        PyErr_Clear();
        return NULL;
    }}
    PyObject *path = PyUnicode_FromFormat("%U%s", dir, {_c_string(source_name)});
    Py_DECREF(dir);
    if (path == NULL) {{
        PyErr_Clear();
    }}
    return path;
}}

/* Point the code object's filenames at the .pys, as importlib does for a moved .pyc. */
static void pm_fix_filename(PyObject *code, PyObject *module) {{
    PyObject *path = pm_source_path(module);
    if (path == NULL) {{
        return;
    }}
    PyObject *imp = PyImport_ImportModule("_imp");
    if (imp != NULL) {{
        PyObject *res = PyObject_CallMethod(imp, "_fix_co_filename", "OO", code, path);
        Py_XDECREF(res);
        Py_DECREF(imp);
    }}
    PyErr_Clear();
    Py_DECREF(path);
}}

/* Module body: compiled fns and structs first, then the plain-Python statements. */
static int pm_exec(PyObject *module) {{
    if ({init_symbol}(module) < 0) {{
        if (!PyErr_Occurred()) {{
            PyErr_SetString(PyExc_SystemError, "{module_name}: native init failed without an exception");
        }}
        return -1;
    }}
    PyObject *dict = PyModule_GetDict(module);
    if (PyDict_GetItemString(dict, "__builtins__") == NULL &&
        PyDict_SetItemString(dict, "__builtins__", PyEval_GetBuiltins()) < 0) {{
        return -1;
    }}
    PyObject *code = PyMarshal_ReadObjectFromString((const char *)pm_code, (Py_ssize_t)sizeof(pm_code));
    if (code == NULL) {{
        return -1;
    }}
    pm_fix_filename(code, module);
    PyObject *res = PyEval_EvalCode(code, dict, dict);
    Py_DECREF(code);
    if (res == NULL) {{
        return -1;
    }}
    Py_DECREF(res);
    return 0;
}}

__attribute__((visibility("default")))
int {EXEC_SYMBOL}(PyObject *module) {{
    return pm_exec(module);
}}

static PyModuleDef_Slot pm_slots[] = {{
    {{Py_mod_exec, (void *)pm_exec}},
    {{0, NULL}},
}};

static struct PyModuleDef pm_def = {{
    PyModuleDef_HEAD_INIT,
    {_c_string(module_name)},
    NULL,
    0,
    NULL,
    pm_slots,
    NULL,
    NULL,
    NULL,
}};

PyMODINIT_FUNC PyInit_{last}(void) {{
    return PyModuleDef_Init(&pm_def);
}}
"""


# ---------------------------------------------------------------------------------------------
# Compile + link


def _run(command: Sequence[str], what: str, cwd: Path) -> None:
    try:
        proc = subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BuildError(f"{what}: cannot run {command[0]!r}: {exc.strerror or exc}") from exc
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise BuildError(f"{what} failed ({shlex.join(command)}):\n{detail}")


def _accepts_prefix_map(toolchain: Toolchain) -> bool:
    """gcc and clang take -fdebug-prefix-map; other compilers get no extra flag."""
    name = os.path.basename(toolchain.cc[0])
    return any(known in name for known in ("gcc", "clang")) or name in ("cc", "c99")


def link_extension(
    obj: bytes,
    entry_c: str,
    module_name: str,
    target: Path,
    *,
    toolchain: Toolchain | None = None,
) -> Path:
    """Compile the entry point, link it with `obj` into a shared object at `target` (atomic)."""
    toolchain = toolchain or Toolchain.from_sysconfig()
    problem = toolchain.missing()
    if problem:
        raise BuildError(f"{module_name}: cannot build an extension module: {problem}")
    last = module_name.rpartition(".")[2]
    with tempfile.TemporaryDirectory(prefix="pymigrate-build-") as work_dir:
        work = Path(work_dir)
        (work / "native.o").write_bytes(obj)
        (work / "entry.c").write_text(entry_c, encoding="utf-8")
        if sys.platform == "darwin":
            exports = [f"-Wl,-exported_symbol,_PyInit_{last}", f"-Wl,-exported_symbol,_{EXEC_SYMBOL}"]
        else:
            (work / "exports.map").write_text(
                f"{{ global: PyInit_{last}; {EXEC_SYMBOL}; local: *; }};\n", encoding="utf-8"
            )
            exports = ["-Wl,--version-script=exports.map"]
        includes = [f"-I{d}" for d in toolchain.include_dirs]
        # Keep the temporary directory's name out of the debug info: same input, same bytes.
        reproducible = [f"-fdebug-prefix-map={work}=."] if _accepts_prefix_map(toolchain) else []
        _run(
            [*toolchain.cc, *toolchain.cflags, *reproducible, *includes, "-c", "entry.c", "-o", "entry.o"],
            f"{module_name}: compiling the entry point",
            work,
        )
        _run(
            [
                *toolchain.ldshared,
                "entry.o",
                "native.o",
                *exports,
                "-lm",
                "-o",
                "module.so",
            ],
            f"{module_name}: linking",
            work,
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = atomic.temp_path_beside(target, ".so")
        shutil.copyfile(work / "module.so", temp)
        atomic.replace_from(temp, target, 0o755)
    return target


def compile_source(
    source: Path, module_name: str, *, opt_level: int = 3, data: bytes | None = None
) -> tuple[ParseResult, CompiledModule]:
    """Parse and compile one `.pys` file (SyntaxError / CompileError carry file:line:col).

    `data` is the file's content when the caller already read it (the import hook compiles the
    bytes it hashed). The text is decoded as Python decodes source (BOM, coding declaration).
    """
    from pymigrate.codegen import compile_module
    from pymigrate.superset import parse
    from pymigrate.superset.sourcefile import decode_source

    text = decode_source(source.read_bytes() if data is None else data, source)
    result = parse(text, str(source))
    return result, compile_module(result, module_name, opt_level=opt_level)


def marshal_remainder(compiled: CompiledModule, filename: str) -> bytes:
    """The plain-Python remainder as marshalled code, positions pointing into the `.pys`."""
    tree = ast.fix_missing_locations(compiled.python_tree)
    return marshal.dumps(compile(tree, filename, "exec", dont_inherit=True))


def build_shared_object(
    compiled: CompiledModule,
    source: Path,
    module_name: str,
    target: Path,
    *,
    cpu: str = "host",
    opt_level: int = 3,
    toolchain: Toolchain | None = None,
) -> Path:
    """Link `compiled` (from `source`) into the extension module `target`."""
    obj = emit_object(compiled.llvm_ir, cpu=cpu, opt_level=opt_level, name=str(source))
    code = marshal_remainder(compiled, str(source))
    entry = render_entry(module_name, compiled.init_symbol, code, source.name)
    return link_extension(obj, entry, module_name, target, toolchain=toolchain)


@dataclass(frozen=True)
class BuiltModule:
    """What `build_file` wrote for one `.pys`."""

    source: Path
    module_name: str
    extension: Path
    stub: Path


def build_file(
    source: Path,
    *,
    module_name: str | None = None,
    cpu: str = "host",
    opt_level: int = 3,
    stubs: bool = True,
    toolchain: Toolchain | None = None,
) -> BuiltModule:
    """Build `source` into `name<EXT_SUFFIX>` and `name.pyi` beside it."""
    from pymigrate.codegen.stubs import render_stub

    source = Path(source)
    if source.suffix != ".pys":
        raise BuildError(f"{source}: not a .pys file (only superset modules are built)")
    name = module_name or module_name_for(source)
    check_module_name(name, source)
    result, compiled = compile_source(source, name, opt_level=opt_level)
    target = extension_path_for(source)
    build_shared_object(compiled, source, name, target, cpu=cpu, opt_level=opt_level, toolchain=toolchain)
    stub = source.with_suffix(".pyi")
    if stubs:
        atomic.write_text(stub, render_stub(result, compiled))
    return BuiltModule(source, name, target, stub)
