"""The typed program the checker hands to lowering.

It is the superset AST plus side tables: the type of every expression, the
resolved target of every call and the signature and locals of every fn.
Lowering reads these tables and never re-infers a type.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pymigrate.codegen.types import Ty

if TYPE_CHECKING:
    from pymigrate.codegen.tir.closures import Closures


@dataclass
class Param:
    name: str
    ty: Ty
    convention: str  # "read" | "mut" | "var" | "out"
    default: ast.expr | None
    node: ast.arg
    kind: str = "positional"  # "posonly" | "positional" | "kwonly"


@dataclass
class CallInfo:
    """A call resolved at compile time; args are in parameter order with defaults filled in."""

    kind: str  # "fn" | "ctor" | "method" | "builtin" | "math" | "list_method" | "cast"
    target: str
    args: list[ast.expr]
    recv: ast.expr | None = None


@dataclass
class FuncIR:
    key: str  # symbol key: "f" or "Point.norm"
    name: str
    node: ast.FunctionDef
    params: list[Param]
    ret: Ty
    locals: dict[str, Ty]
    raises: bool
    owner: str | None = None
    tier: str = "native"  # "object": every value a Python object, built through tir/
    py_class: str | None = None  # a method of this ordinary (Python) class: object tier, bound by the class
    origin: ast.FunctionDef | None = None  # the def as written when `node` is its rewritten copy
    class_cell: str | None = None  # the module global holding its class's `__class__` cell (glue.py)
    closures: Closures | None = None  # an object fn's nested defs, lambdas and generator expressions

    @property
    def qualname(self) -> str:
        """The def's `__qualname__`: the key, except for a method of an ordinary class (whose key is unique)."""
        return self.key if self.py_class is None else f"{self.py_class}.{self.name}"

    @property
    def is_object(self) -> bool:
        return self.tier == "object"

    @property
    def is_init(self) -> bool:
        return self.owner is not None and self.name == "__init__"


@dataclass
class StructIR:
    name: str
    node: ast.ClassDef
    fields: list[tuple[str, Ty]]
    methods: dict[str, FuncIR] = field(default_factory=dict)

    def field_index(self, name: str) -> int:
        for i, (fname, _) in enumerate(self.fields):
            if fname == name:
                return i
        raise KeyError(name)


@dataclass
class ModuleIR:
    path: str
    functions: dict[str, FuncIR]  # module-level fns by name
    structs: dict[str, StructIR]
    constants: dict[str, tuple[Ty, object]]
    types: dict[int, Ty]
    calls: dict[int, CallInfo]
    python_body: list[ast.stmt]
    consts: dict[int, tuple[Ty, object]] = field(default_factory=dict)  # folded default values
    unbound: set[int] = field(default_factory=set)  # reads of locals that may run before any assignment
    class_methods: dict[str, FuncIR] = field(default_factory=dict)  # fn methods of ordinary classes, by key

    def all_functions(self) -> list[FuncIR]:
        funcs = list(self.functions.values())
        for st in self.structs.values():
            funcs.extend(st.methods.values())
        funcs.extend(self.class_methods.values())
        return funcs
