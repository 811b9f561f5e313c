"""Kernel discovery: every `<name>.py` here is a kernel whose entry function is `<name>(n)`.

A kernel module is plain typed Python (it goes through the real migrate/build pipeline), so its
metadata is a few literal module constants read from the source with `ast`, never by importing it:
SMALL and LARGE (the argument `n` for quick and full runs), KIND (which goal family it belongs to)
and TOLERANCE (relative tolerance on a float result; 0.0 means bit-for-bit equal to CPython).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

KERNELS_DIR = Path(__file__).resolve().parent
CALLS_MODULE = KERNELS_DIR.parent / "calls" / "trivial.py"
KINDS = ("float", "int", "list", "text")


@dataclass(frozen=True)
class Kernel:
    name: str
    path: Path
    small: int
    large: int
    kind: str
    tolerance: float
    returns: str  # "int" or "float": the entry's return annotation
    lines: int

    @property
    def entry(self) -> str:
        return self.name

    def size(self, quick: bool) -> int:
        return self.small if quick else self.large

    @property
    def hand_migrated(self) -> Path:
        """The hand-written superset version of this kernel (may not exist)."""
        return self.path.with_suffix(".pys")


class KernelError(ValueError):
    pass


def _constants(tree: ast.Module) -> dict[str, object]:
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return found


def load_kernel(path: Path) -> Kernel:
    """Read one kernel's metadata; KernelError (with file:line) when the module breaks the convention."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    consts = _constants(tree)
    name = path.stem
    entry = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name), None)
    if entry is None:
        raise KernelError(f"{path}:1:1: no entry function `def {name}(n: int)`: define one named after the module")
    returns = ast.unparse(entry.returns) if entry.returns is not None else ""
    if returns not in ("int", "float"):
        raise KernelError(f"{path}:{entry.lineno}:{entry.col_offset + 1}: entry must return `int` or `float`, not {returns or 'nothing'}")
    missing = [key for key in ("SMALL", "LARGE", "KIND", "TOLERANCE") if key not in consts]
    if missing:
        raise KernelError(f"{path}:1:1: missing module constant(s) {', '.join(missing)}: see benchmarks/kernels/__init__.py")
    small, large, kind, tolerance = consts["SMALL"], consts["LARGE"], consts["KIND"], consts["TOLERANCE"]
    if not (isinstance(small, int) and isinstance(large, int) and isinstance(kind, str) and isinstance(tolerance, float)):
        raise KernelError(f"{path}:1:1: SMALL and LARGE must be int literals, KIND a str, TOLERANCE a float")
    if kind not in KINDS:
        raise KernelError(f"{path}:1:1: KIND must be one of {', '.join(KINDS)}, not {kind!r}")
    return Kernel(name, path, small, large, kind, tolerance, returns, len(source.splitlines()))


def discover(directory: Path = KERNELS_DIR, only: list[str] | None = None) -> list[Kernel]:
    """All kernels in `directory`, sorted by name; `only` keeps the named ones (unknown names raise)."""
    kernels = [load_kernel(p) for p in sorted(directory.glob("*.py")) if not p.name.startswith("_")]
    if only:
        names = {k.name for k in kernels}
        unknown = [n for n in only if n not in names]
        if unknown:
            raise KernelError(f"unknown kernel(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}")
        kernels = [k for k in kernels if k.name in only]
    return kernels
