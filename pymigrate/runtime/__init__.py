"""Runtime support for compiled `.pys` modules: the import hook, its cache, and builds.

Kept import-light: `import pymigrate.importer` goes through this package on every run, so the
compiler is only imported when something must actually be compiled.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (this is on the import path)

if TYPE_CHECKING:
    from pathlib import Path


def build_package(path: Path | str, *, cpu: str = "host", stubs: bool = True) -> list[Path]:
    """Build every `.pys` under `path` (a package directory or one file) in place.

    Returns the extension modules written, in file order. Raises the first error (SyntaxError,
    CompileError or BuildError, each naming the file); use `pymigrate build` to build what can
    be built and report the rest.
    """
    from pathlib import Path

    from pymigrate.codegen.build import build_file
    from pymigrate.config import load_config
    from pymigrate.files import WalkError, iter_source_files, shown

    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"{root}: no such file or directory")
    config = load_config(root).override(include=("*.pys",))
    errors: list[WalkError] = []
    sources = [p for p in iter_source_files([root], config, errors) if p.suffix == ".pys"]
    if errors:
        raise OSError(f"{shown(errors[0].path)}: {errors[0].message}")
    return [build_file(source, cpu=cpu, stubs=stubs).extension for source in sources]
