"""Ask the compiler whether a plain `def`/`class` would compile once upgraded to `fn`/`struct`.

The upgrade is synthesized the way the migrator writes it (parameter and return
types as annotated, locals declared at their first binding, parameters `mut`
where mutated in place and `var` where rebound, struct fields from class-level
annotations or annotated assignments in __init__) and handed to the checker, so
the answer is the compiler's own. A few Python behaviours that would compile but
change meaning (value semantics where Python shares a list or an object) are
reported too.
"""

from __future__ import annotations

import ast
import copy

from pymigrate.codegen.checker import Checker
from pymigrate.codegen.diagnostics import CompileError, Diagnostic
from pymigrate.codegen.ir import ModuleIR
from pymigrate.codegen.marks import SyntheticMarks

_MUTATORS = {"append", "pop", "clear", "extend", "insert", "remove", "sort", "reverse"}


def fn_blockers(func: ast.FunctionDef, module: ast.Module) -> list[str]:
    """Reasons this def would not compile as a fn (empty: it compiles)."""
    if func not in module.body:
        owner = next(
            (c for c in module.body if isinstance(c, ast.ClassDef) and func in c.body), None
        )
        if owner is not None:
            return struct_blockers(owner, module)
        return ["only module-level functions and methods of a struct can be compiled"]
    return _Probe(module).run(func)


def struct_blockers(cls: ast.ClassDef, module: ast.Module) -> list[str]:
    """Reasons this class would not compile as a struct (empty: it compiles)."""
    if cls not in module.body:
        return ["only module-level classes can become structs"]
    return _Probe(module).run(cls)


class _Probe:
    def __init__(self, module: ast.Module) -> None:
        self.original = module
        self.tree = copy.deepcopy(module)
        self.index = {id(o): c for o, c in zip(ast.walk(module), ast.walk(self.tree))}
        self.marks = SyntheticMarks(self.tree, "<probe>")
        self.blockers: list[str] = []
        self.defs = {s.name: s for s in self.tree.body if isinstance(s, ast.FunctionDef)}
        self.classes = {s.name: s for s in self.tree.body if isinstance(s, ast.ClassDef)}
        self.spans: dict[str, tuple[int, int]] = {}

    def run(self, target: ast.FunctionDef | ast.ClassDef) -> list[str]:
        node = self.index[id(target)]
        assert isinstance(node, (ast.FunctionDef, ast.ClassDef))
        self._closure(node)
        try:
            mir = Checker(self.marks, implicit_decls=True).run()
        except CompileError as exc:
            return self._explain(node, exc.diagnostics) + self.blockers
        return self.blockers + self._semantic_blockers(node, mir)

    # --- choosing what to upgrade: the target and what it needs
    def _closure(self, target: ast.FunctionDef | ast.ClassDef) -> None:
        todo: list[ast.AST] = [target]
        seen: set[int] = set()
        while todo:
            node = todo.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, ast.FunctionDef):
                self._upgrade_fn(node, None)
            elif isinstance(node, ast.ClassDef):
                self._upgrade_struct(node)
            for sub in ast.walk(node):
                name = None
                if isinstance(sub, ast.Name):
                    name = sub.id
                elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value in self.classes:
                    name = sub.value
                if name in self.defs and isinstance(sub, ast.Name) and _is_called(node, sub):
                    todo.append(self.defs[name])
                elif name in self.classes:
                    todo.append(self.classes[name])

    def _upgrade_fn(self, fn: ast.FunctionDef, owner: ast.ClassDef | None) -> None:
        self.marks.fns.add(id(fn))
        key = f"{owner.name}.{fn.name}" if owner else fn.name
        self.spans[key] = (fn.lineno, fn.end_lineno or fn.lineno)
        args = fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs
        for i, arg in enumerate(args):
            if owner is not None and i == 0:
                if fn.name == "__init__":
                    self.marks.conventions[id(arg)] = "out"
                elif _mutates(fn.body, arg.arg):
                    self.marks.conventions[id(arg)] = "mut"
                continue
            mutated, rebound = _mutates(fn.body, arg.arg), _rebinds(fn.body, arg.arg)
            if mutated and rebound:
                self.blockers.append(
                    f"{fn.lineno}:{fn.col_offset + 1}: parameter '{arg.arg}' of {key}() is both changed in place "
                    "and rebound; a fn parameter is either `mut` (shared) or `var` (a copy), not both"
                )
            elif mutated:
                self.marks.conventions[id(arg)] = "mut"
            elif rebound:
                self.marks.conventions[id(arg)] = "var"

    def _upgrade_struct(self, cls: ast.ClassDef) -> None:
        self.marks.structs.add(id(cls))
        # a plain @dataclass is what a struct gives anyway (field-wise __init__, __repr__, __eq__)
        cls.decorator_list = [d for d in cls.decorator_list if not _plain_dataclass(d)]
        self.spans[cls.name] = (cls.lineno, cls.end_lineno or cls.lineno)
        declared = {s.target.id for s in cls.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)}
        for s in cls.body:
            if isinstance(s, ast.AnnAssign):
                self.marks.var_decls.add(id(s))
        init = next((s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
        if init is not None and not declared:
            fields = _fields_from_init(init)
            for name, annotation in fields:
                decl = ast.AnnAssign(
                    target=ast.Name(id=name, ctx=ast.Store()), annotation=annotation, value=None, simple=1
                )
                ast.copy_location(decl, init)
                ast.fix_missing_locations(decl)
                cls.body.insert(0, decl)
                self.marks.var_decls.add(id(decl))
        for s in cls.body:
            if isinstance(s, ast.FunctionDef):
                self._upgrade_fn(s, cls)

    # --- turning diagnostics into reasons
    def _explain(self, target: ast.FunctionDef | ast.ClassDef, diags: list[Diagnostic]) -> list[str]:
        lo, hi = target.lineno, target.end_lineno or target.lineno
        if isinstance(target, ast.FunctionDef) and target.decorator_list:
            lo = min(lo, target.decorator_list[0].lineno)
        own = [d for d in diags if lo <= d.line <= hi]
        reasons = [f"{d.line}:{d.col}: {d.message}" for d in own]
        for d in diags:
            if d in own:
                continue
            where = next((k for k, (a, b) in self.spans.items() if a <= d.line <= b), None)
            if where is None:
                continue
            kind = "class" if where in self.classes else "function"
            reasons.append(f"uses {kind} '{where}', which would not compile: {d.line}:{d.col}: {d.message}")
        return reasons or [str(d) for d in diags[:1]]

    def _semantic_blockers(self, target: ast.FunctionDef | ast.ClassDef, mir: ModuleIR) -> list[str]:
        """Value semantics differ from Python's sharing when an aggregate is aliased then changed."""
        funcs = [target] if isinstance(target, ast.FunctionDef) else [
            s for s in target.body if isinstance(s, ast.FunctionDef)
        ]
        out: list[str] = []
        for fn in funcs:
            for stmt in ast.walk(fn):
                alias = _alias_of(stmt, mir)
                if alias is None:
                    continue
                name, pos = alias
                if _mutated_after(fn.body, name, pos) or _mutated_after(fn.body, _source_root(stmt), pos):
                    out.append(
                        f"{pos[0]}:{pos[1] + 1}: '{name}' shares a list/object with another name and one of them is "
                        "changed afterwards; in a fn assignment copies (value semantics), so keep this a def"
                    )
        return out


def _plain_dataclass(d: ast.expr) -> bool:
    if isinstance(d, ast.Call):
        if d.args or d.keywords:
            return False
        d = d.func
    if isinstance(d, ast.Attribute) and isinstance(d.value, ast.Name) and d.value.id == "dataclasses":
        return d.attr == "dataclass"
    return isinstance(d, ast.Name) and d.id == "dataclass"


def _is_called(scope: ast.AST, name: ast.Name) -> bool:
    for node in ast.walk(scope):
        if isinstance(node, ast.Call) and node.func is name:
            return True
    return False


def _root(e: ast.expr) -> str | None:
    while isinstance(e, (ast.Attribute, ast.Subscript)):
        e = e.value
    return e.id if isinstance(e, ast.Name) else None


def _mutates(body: list[ast.stmt], name: str) -> bool:
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for t in targets:
            for sub in ast.walk(t):
                if isinstance(sub, (ast.Attribute, ast.Subscript)) and _root(sub) == name:
                    return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _MUTATORS and _root(node.func.value) == name:
                return True
    return False


def _rebinds(body: list[ast.stmt], name: str) -> bool:
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            return True
    return False


def _fields_from_init(init: ast.FunctionDef) -> list[tuple[str, ast.expr]]:
    params = {a.arg: a.annotation for a in init.args.args[1:] if a.annotation is not None}
    fields: list[tuple[str, ast.expr]] = []
    seen: set[str] = set()
    for node in ast.walk(init):
        target: ast.expr | None = None
        annotation: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.AnnAssign):
            target, annotation, value = node.target, node.annotation, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"):
            continue
        if target.attr in seen:
            continue
        if annotation is None and isinstance(value, ast.Name) and value.id in params:
            annotation = params[value.id]
        if annotation is None:
            annotation = ast.Name(id=f"<type of self.{target.attr} unknown: annotate it at class level>")
        seen.add(target.attr)
        fields.append((target.attr, copy.deepcopy(annotation)))
    return list(reversed(fields))


def _alias_of(stmt: ast.AST, mir: ModuleIR) -> tuple[str, tuple[int, int]] | None:
    """`x = y`, `x = y[i]`, `x = y.f` or `c.append(x)` with an aggregate value."""
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
        value = stmt.value
        if isinstance(target, ast.Name) and isinstance(value, (ast.Name, ast.Subscript, ast.Attribute)):
            ty = mir.types.get(id(value))
            if ty is not None and ty.kind in ("List", "Struct"):
                return target.id, (stmt.lineno, stmt.col_offset)
        if isinstance(target, (ast.Subscript, ast.Attribute)) and isinstance(value, ast.Name):
            ty = mir.types.get(id(value))
            if ty is not None and ty.kind in ("List", "Struct"):
                return value.id, (stmt.lineno, stmt.col_offset)
    if isinstance(stmt, ast.Call) and isinstance(stmt.func, ast.Attribute) and stmt.func.attr == "append":
        if stmt.args and isinstance(stmt.args[0], ast.Name):
            ty = mir.types.get(id(stmt.args[0]))
            if ty is not None and ty.kind in ("List", "Struct"):
                return stmt.args[0].id, (stmt.lineno, stmt.col_offset)
    return None


def _source_root(stmt: ast.AST) -> str:
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
        return _root(stmt.value) or ""
    return ""


def _mutated_after(body: list[ast.stmt], name: str, pos: tuple[int, int]) -> bool:
    if not name:
        return False
    for stmt in ast.walk(ast.Module(body=body, type_ignores=[])):
        if not isinstance(stmt, ast.stmt) or (stmt.lineno, stmt.col_offset) <= pos:
            continue
        if isinstance(stmt, (ast.For, ast.While, ast.If)):
            continue
        if _mutates([stmt], name):
            return True
    return False
