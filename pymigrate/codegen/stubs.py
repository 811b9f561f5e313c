"""`.pyi` stubs for built modules, so type checkers see a compiled module as its callers expect.

A stub replaces the module for a type checker, so it lists everything the module defines, not
only what was compiled: compiled `fn`s and `struct`s with their superset types spelled as the
Python types CPython callers see (Int -> int, Float64 -> float, List[Int] -> list[int], a struct
-> the `@dataclass` over its fields that its Python class is, so `dataclasses.replace`/`fields`
type-check as they did on the migrated class), and the plain-Python remainder's defs, classes,
imports and module-level names with their annotations as written. The text is formatted by
black's stub style, as a stub written by hand in a black-formatted project would be.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pymigrate.codegen import CompiledModule
    from pymigrate.superset import ParseResult

SUPERSET_TO_PYTHON = {
    "Int": "int",
    "Float64": "float",
    "Bool": "bool",
    "String": "str",
    "List": "list",
    "NoneType": "None",
}

_KEPT_DECORATORS = {"staticmethod", "classmethod", "property", "overload", "abstractmethod", "final"}

INDENT = "    "


class _PythonTypes(ast.NodeTransformer):
    """Rewrite superset type names in an annotation to the Python types callers see."""

    def __init__(self, shadowed: set[str]) -> None:
        self.shadowed = shadowed

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in SUPERSET_TO_PYTHON and node.id not in self.shadowed:
            return ast.copy_location(ast.Name(SUPERSET_TO_PYTHON[node.id], ast.Load()), node)
        return node


class _StubWriter:
    def __init__(self, result: ParseResult) -> None:
        self.result = result
        self.shadowed = _defined_names(result.tree)
        self.lines: list[str] = []
        self.uses_any = False
        self.uses_dataclass = False
        # the decorator's name in the stub: `dataclass`, unless the module binds that name otherwise
        self.imports_dataclass = _imports(result.tree, "dataclasses", "dataclass")
        own = self.imports_dataclass or "dataclass" not in self.shadowed
        self.dataclass = "dataclass" if own else "_pm_dataclass"

    def annotation(self, node: ast.expr | None) -> str:
        if node is None:
            self.uses_any = True
            return "Any"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                self.uses_any = True
                return "Any"
        converted = _PythonTypes(self.shadowed).visit(ast.parse(ast.unparse(node), mode="eval").body)
        return ast.unparse(converted)

    def emit(self, depth: int, text: str) -> None:
        self.lines.append(INDENT * depth + text)

    def signature(self, func: ast.FunctionDef | ast.AsyncFunctionDef, in_class: bool) -> str:
        args = func.args
        parts: list[str] = []
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        for index, (arg, default) in enumerate(zip(positional, defaults)):
            parts.append(self.parameter(arg, default, bare=in_class and index == 0))
            if args.posonlyargs and index == len(args.posonlyargs) - 1:
                parts.append("/")
        if args.vararg is not None:
            parts.append("*" + self.parameter(args.vararg, None, bare=False))
        elif args.kwonlyargs:
            parts.append("*")
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
            parts.append(self.parameter(arg, kw_default, bare=False))
        if args.kwarg is not None:
            parts.append("**" + self.parameter(args.kwarg, None, bare=False))
        if func.name == "__init__" and in_class:
            returns = "None"
        else:
            returns = self.annotation(func.returns)
        keyword = "async def" if isinstance(func, ast.AsyncFunctionDef) else "def"
        return f"{keyword} {func.name}({', '.join(parts)}) -> {returns}: ..."

    def parameter(self, arg: ast.arg, default: ast.expr | None, *, bare: bool) -> str:
        text = arg.arg
        if not (bare and arg.annotation is None):
            text += ": " + self.annotation(arg.annotation)
        if default is not None:
            text += " = ..."
        return text

    def function(self, func: ast.FunctionDef | ast.AsyncFunctionDef, depth: int, in_class: bool) -> None:
        for deco in func.decorator_list:
            self.emit(depth, "@" + ast.unparse(deco))
        self.emit(depth, self.signature(func, in_class))

    def klass(self, cls: ast.ClassDef, depth: int) -> None:
        if self.result.is_struct(cls):
            self.uses_dataclass = True
            self.emit(depth, "@" + self.dataclass)
        else:
            for deco in cls.decorator_list:
                self.emit(depth, "@" + ast.unparse(deco))
        bases = [ast.unparse(b) for b in cls.bases] + [ast.unparse(k) for k in cls.keywords]
        self.emit(depth, f"class {cls.name}" + (f"({', '.join(bases)})" if bases else "") + ":")
        before = len(self.lines)
        if not self.result.is_struct(cls):
            for name, annotation in self.instance_attributes(cls):
                self.emit(depth + 1, f"{name}: {annotation}")
        self.body(cls.body, depth + 1, in_class=True)
        if len(self.lines) == before:
            self.emit(depth + 1, "...")

    def instance_attributes(self, cls: ast.ClassDef) -> list[tuple[str, str]]:
        """Attributes a plain class sets on `self` in its methods: a stub must declare them.

        The type is the written annotation, else the annotation of the parameter assigned, else
        a literal's type, else Any. Names the class body declares itself are left to the body.
        """
        declared = {
            t.id
            for stmt in cls.body
            for t in (stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)])
            if isinstance(t, ast.Name)
        } | {stmt.name for stmt in cls.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        found: dict[str, str] = {}
        for method in cls.body:
            if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) or not method.args.args:
                continue
            if any(isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in method.decorator_list):
                continue
            self_name = method.args.args[0].arg
            params = {a.arg: a.annotation for a in [*method.args.posonlyargs, *method.args.args, *method.args.kwonlyargs]}
            for node in ast.walk(method):
                targets: list[ast.expr]
                value: ast.expr | None
                annotation: str | None
                if isinstance(node, ast.AnnAssign):
                    targets, value, annotation = [node.target], node.value, self.annotation(node.annotation)
                elif isinstance(node, ast.Assign):
                    targets, value, annotation = node.targets, node.value, None
                else:
                    continue
                for target in targets:
                    if not (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == self_name
                    ):
                        continue
                    name = target.attr
                    if name in declared or (name in found and found[name] != "Any" and annotation is None):
                        continue
                    if annotation is None:
                        if isinstance(value, ast.Name) and params.get(value.id) is not None:
                            annotation = self.annotation(params[value.id])
                        elif value is None:
                            annotation = self.annotation(None)
                        else:
                            annotation = self.literal_type(value, ast.Name(name))
                    found[name] = annotation
        return list(found.items())

    def body(self, statements: list[ast.stmt], depth: int, in_class: bool) -> None:
        for stmt in statements:
            self.statement(stmt, depth, in_class)

    def statement(self, stmt: ast.stmt, depth: int, in_class: bool) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.function(stmt, depth, in_class)
        elif isinstance(stmt, ast.ClassDef):
            self.klass(stmt, depth)
        elif isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            return
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)) and depth == 0:
            self.emit(depth, ast.unparse(stmt))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            self.emit(depth, f"{stmt.target.id}: {self.annotation(stmt.annotation)}")
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                for name in _assigned_names(target):
                    if name == "__all__" and depth == 0:
                        self.emit(depth, ast.unparse(stmt))
                    else:
                        self.emit(depth, f"{name}: {self.literal_type(stmt.value, target)}")
        elif isinstance(stmt, ast.If) and depth == 0:
            # Platform/version switches: keep both branches' definitions (first wins for a checker).
            self.body(stmt.body, depth, in_class)
            self.body(stmt.orelse, depth, in_class)
        elif isinstance(stmt, ast.Try) and depth == 0:
            self.body(stmt.body, depth, in_class)

    def literal_type(self, value: ast.expr, target: ast.expr) -> str:
        if isinstance(target, ast.Name) and isinstance(value, ast.Constant) and value.value is not None:
            return type(value.value).__name__
        self.uses_any = True
        return "Any"


def _assigned_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _assigned_names(elt)]
    return []


def _defined_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                names.add((alias.asname or alias.name).partition(".")[0])
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                names.update(_assigned_names(target))
    return names


def render_stub(result: ParseResult, compiled: CompiledModule | None = None) -> str:
    """The `.pyi` text for a parsed `.pys` module (compiled names are listed in the header)."""
    writer = _StubWriter(result)
    writer.body(result.tree.body, 0, in_class=False)
    header = ["# Generated by pymigrate build from " + _display_name(result.filename) + "; do not edit."]
    if compiled is not None and (compiled.functions or compiled.structs):
        native = [*compiled.functions, *compiled.structs]
        header.append("# Compiled to native code: " + ", ".join(native))
    if writer.uses_any and not _imports(result.tree, "typing", "Any"):
        header.append("from typing import Any")
    if writer.uses_dataclass and not writer.imports_dataclass:
        alias = "" if writer.dataclass == "dataclass" else " as " + writer.dataclass
        header.append("from dataclasses import dataclass" + alias)
    return _black("\n".join([*header, *writer.lines]) + "\n")


def _black(text: str) -> str:
    """`text` in black's `.pyi` style (is_pyi: one blank line between classes, none between defs)."""
    from black import format_str
    from black.mode import Mode, TargetVersion

    return format_str(text, mode=Mode(target_versions={TargetVersion.PY311}, is_pyi=True))


def _imports(tree: ast.Module, module: str, name: str) -> bool:
    """True when the module's top level has `from <module> import <name>` under its own name."""
    return any(
        isinstance(stmt, ast.ImportFrom)
        and stmt.module == module
        and any(alias.name == name and alias.asname in (None, name) for alias in stmt.names)
        for stmt in tree.body
    )


def _display_name(filename: str) -> str:
    return filename.replace("\\", "/").rpartition("/")[2] or filename
