"""The `.pys` import hook: a meta-path finder and a loader that compiles on first import.

The finder walks the same path entries as CPython's PathFinder and claims a name only when the
first match on the path is a `.pys` module (`name.pys`) or a package whose `__init__` is a `.pys`;
otherwise it steps aside, so sys.path order and CPython's own precedence are unchanged. In one
directory, `name.pys` wins over `name.py` and over a built `name.<EXT_SUFFIX>` (the hook is on, so
the source is the truth; the cache makes that cheap).

The loader behaves like SourceFileLoader: `__file__` is the `.pys`, `__spec__`/`__loader__` are
set by importlib, `importlib.reload` recompiles when the source changed, errors at import are the
compiler's (SyntaxError / CompileError with `.pys` file:line:col). Two ways to run the module:

- "native" (default when a C toolchain is present): the module is built into a shared object,
  cached on disk (pymigrate.runtime.cache) and run through its exported `pymigrate_exec`. A cached
  import loads the `.so` with ctypes and never imports llvmlite or the compiler.
- "jit": compile in memory with `pymigrate.runtime.jit.load` on every import (no toolchain needed).

`PYMIGRATE_IMPORT_MODE` = auto | native | jit chooses; auto is native when possible, else jit.
"""

from __future__ import annotations

import ctypes
import os
import sys
from importlib.machinery import BYTECODE_SUFFIXES, EXTENSION_SUFFIXES, SOURCE_SUFFIXES, ModuleSpec
from types import CodeType, ModuleType

from pymigrate.runtime import cache

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (this is on the import path)
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

PYS_SUFFIX = ".pys"
MODE_ENV = "PYMIGRATE_IMPORT_MODE"
MODES = ("auto", "native", "jit")
_OTHER_SUFFIXES = tuple(dict.fromkeys([*EXTENSION_SUFFIXES, *SOURCE_SUFFIXES, *BYTECODE_SUFFIXES]))

# Shared objects stay loaded for the life of the process, like extension modules.
_LOADED: dict[str, ctypes.PyDLL] = {}


class ImportModeError(ImportError):
    """The requested import mode cannot work here (e.g. native without a C compiler)."""


def import_mode() -> str:
    mode = os.environ.get(MODE_ENV, "auto").strip().lower() or "auto"
    if mode not in MODES:
        raise ImportModeError(f"{MODE_ENV}={mode!r} is not one of: {', '.join(MODES)}")
    return mode


class PysLoader:
    """Loads one `.pys` module (see the module docstring for the two modes)."""

    def __init__(self, fullname: str, path: str) -> None:
        self.name = fullname
        self.path = path

    def __repr__(self) -> str:
        return f"<PysLoader {self.name!r} from {self.path!r}>"

    # -- importlib.abc.InspectLoader / ExecutionLoader -------------------------------------

    def get_filename(self, fullname: str | None = None) -> str:
        return self.path

    def get_data(self, path: str) -> bytes:
        with open(path, "rb") as handle:
            return handle.read()

    def get_source(self, fullname: str | None = None) -> str:
        from importlib.util import decode_source

        return str(decode_source(self.get_data(self.path)))

    def is_package(self, fullname: str | None = None) -> bool:
        return os.path.splitext(os.path.basename(self.path))[0] == "__init__"

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None

    def get_code(self, fullname: str | None = None) -> CodeType:
        """Code that runs this module in the namespace it is executed in (for runpy / `-m`).

        The compiled parts need a module object, so the code finds the module that owns the
        namespace (runpy's `__main__`) and runs the module into it.
        """
        call = f"__import__('pymigrate.runtime.hook', fromlist=['_']).run_into(globals(), {self.path!r}, {self.name!r})"
        return compile(call, self.path, "exec", dont_inherit=True)

    def load_module(self, fullname: str) -> ModuleType:
        """Legacy entry point, kept for the loader protocol (importlib uses exec_module)."""
        from importlib._bootstrap import _load_module_shim  # type: ignore[attr-defined]

        module: ModuleType = _load_module_shim(self, fullname)
        return module

    def exec_module(self, module: ModuleType) -> None:
        source = self.path
        source_bytes = self.get_data(self.path)
        mode = import_mode()
        if mode == "jit":
            _exec_jit(module, source, self.name, source_bytes)
            return
        slot = cache.slot_for(source, self.name, source_bytes)
        entry = slot.find() if slot is not None else None
        if entry is not None:
            runner = _load_shared(entry)
            if runner is not None:
                runner(module)
                return
            cache.discard(entry)
        problem = _toolchain_problem()
        if problem is not None:
            if mode == "native":
                raise ImportModeError(f"{self.path}: cannot build natively: {problem}", name=self.name)
            _exec_jit(module, source, self.name, source_bytes)
            return
        _exec_native(module, source, self.name, slot, source_bytes)


def run_into(namespace: dict[str, object], path: str, fullname: str) -> None:
    """Run the `.pys` module at `path` into the module whose namespace is `namespace`."""
    owner = next((m for m in list(sys.modules.values()) if getattr(m, "__dict__", None) is namespace), None)
    if owner is None:
        owner = ModuleType(str(namespace.get("__name__", fullname)))
        owner.__dict__.update(namespace)
        PysLoader(fullname, path).exec_module(owner)
        namespace.update(owner.__dict__)
        return
    PysLoader(fullname, path).exec_module(owner)


def _toolchain_problem() -> str | None:
    from pymigrate.codegen.build import Toolchain

    return Toolchain.from_sysconfig().missing()


def _load_shared(path: str) -> Callable[[ModuleType], int] | None:
    """The `pymigrate_exec` entry of a built shared object, or None if it cannot be loaded."""
    key = str(path)
    try:
        lib = _LOADED.get(key) or ctypes.PyDLL(key)
        runner = getattr(lib, cache.EXEC_SYMBOL)
    except (OSError, AttributeError):
        return None
    _LOADED[key] = lib
    runner.argtypes = [ctypes.py_object]
    runner.restype = ctypes.c_int
    return runner  # type: ignore[no-any-return]


def _exec_native(
    module: ModuleType, source: str, fullname: str, slot: cache.CacheSlot | None, source_bytes: bytes
) -> None:
    """Compile the very bytes the cache key was made from: an edit meanwhile is the next import's."""
    import tempfile
    from pathlib import Path

    from pymigrate.codegen import build

    _result, compiled = build.compile_source(Path(source), fullname, data=source_bytes)
    with tempfile.TemporaryDirectory(prefix="pymigrate-import-") as work:
        built = str(build.build_shared_object(compiled, Path(source), fullname, Path(work) / "module.so"))
        entry: str | None = None
        if slot is not None and slot.writable:
            try:
                entry = slot.commit(built)
            except OSError as exc:
                cache.warn(
                    f"pymigrate cache: cannot write {exc.filename2 or exc.filename or slot.directory} "
                    f"({exc.strerror or exc}); "
                    f"{fullname} is compiled again at every import until this is fixed"
                )
                entry = None
        runner = _load_shared(entry if entry is not None else built)
        if runner is None:
            raise ImportError(f"{source}: the freshly built module could not be loaded", name=fullname)
    runner(module)


def _exec_jit(module: ModuleType, source: str, fullname: str, source_bytes: bytes) -> None:
    from pathlib import Path

    from pymigrate.codegen import build
    from pymigrate.runtime.jit import load

    _result, compiled = build.compile_source(Path(source), fullname, data=source_bytes)
    load(compiled, module)


def _spec(fullname: str, path: str, package_dir: str | None) -> ModuleSpec:
    loader = PysLoader(fullname, path)
    spec = ModuleSpec(fullname, loader, origin=path, is_package=package_dir is not None)  # type: ignore[arg-type]
    spec.has_location = True
    if package_dir is not None:
        spec.submodule_search_locations = [package_dir]
    return spec


class PysFinder:
    """Meta-path finder for `.pys` modules and packages (see the module docstring)."""

    def __init__(self) -> None:
        self._listings: dict[str, tuple[int, frozenset[str]]] = {}

    def __repr__(self) -> str:
        return "<pymigrate .pys finder>"

    def invalidate_caches(self) -> None:
        self._listings.clear()

    def _listing(self, directory: str) -> frozenset[str]:
        try:
            mtime = os.stat(directory).st_mtime_ns
        except OSError:
            return frozenset()
        cached = self._listings.get(directory)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        try:
            names = frozenset(os.listdir(directory))
        except OSError:
            names = frozenset()
        self._listings[directory] = (mtime, names)
        return names

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        tail = fullname.rpartition(".")[2]
        for entry in sys.path if path is None else path:
            if not isinstance(entry, str):
                continue
            directory = entry or os.getcwd()
            names = self._listing(directory)
            if not names:
                continue
            if tail in names:
                package_dir = os.path.join(directory, tail)
                inner = self._listing(package_dir)
                if "__init__" + PYS_SUFFIX in inner:
                    init = os.path.join(package_dir, "__init__" + PYS_SUFFIX)
                    return _spec(fullname, init, package_dir)
                if any("__init__" + suffix in inner for suffix in _OTHER_SUFFIXES):
                    return None
            if tail + PYS_SUFFIX in names:
                module_path = os.path.join(directory, tail + PYS_SUFFIX)
                return _spec(fullname, module_path, None)
            if any(tail + suffix in names for suffix in _OTHER_SUFFIXES):
                return None
        return None


_FINDER: PysFinder | None = None


def install() -> PysFinder:
    """Put the finder at the front of sys.meta_path (idempotent) and return it."""
    global _FINDER
    if _FINDER is None:
        _FINDER = PysFinder()
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    return _FINDER


def uninstall() -> None:
    """Remove the finder; modules already imported stay imported."""
    if _FINDER is not None and _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
