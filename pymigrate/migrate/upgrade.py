"""The fn/struct upgrades the analyzer planned, applied to a LibCST tree.

The plan (which functions and classes are ready) comes from the analyzer alone; this module
decides only *how* to spell each upgrade: conventions, `var` declarations, `raises`, field
declarations. It changes the tree only where Python syntax can say it (`-> None`, `name: T`
field lines) and records, in `Marks`, which nodes of the resulting tree carry which superset
keyword, for emit.py to print.

Placement: `fn` is emitted for module-level functions, for the methods of a `struct` and for the
ready methods of a module-level class that stays a Python class (object-tier methods, written with
nothing but the keyword); `struct` for module-level classes. A ready function nested in another
function or in a nested class stays a `def`.
When a ready item cannot be spelled (a parameter without a type, a parameter both rebound
and mutated, a field of unknown type) it stays Python and a note says why.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import libcst as cst

from pymigrate.codegen import probe
from pymigrate.migrate.scan import (
    IN_PLACE_TYPES,
    MUTATING_METHODS,
    MutationScan,
    all_params,
    annotation_head,
    can_raise,
    decorator_names,
    local_declarations,
    positional_names,
    returns_nothing,
)
from pymigrate.mutation import spread_through_calls


@dataclass(frozen=True)
class Plan:
    """Qualified names (`f`, `C`, `C.m`) the analyzer calls ready in one module."""

    functions: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    objects: frozenset[str] = frozenset()  # functions the checker compiles in the object tier (no conventions)


@dataclass
class Marks:
    """Nodes of the upgraded tree that carry superset keywords (by identity)."""

    fns: list[cst.Name] = field(default_factory=list)  # def NAME -> fn NAME
    structs: list[cst.Name] = field(default_factory=list)  # class NAME -> struct NAME
    var_decls: list[cst.Name] = field(default_factory=list)  # NAME ... -> var NAME ...
    conventions: list[tuple[cst.Name, str]] = field(default_factory=list)  # PARAM -> mut/var/out PARAM
    # `raises` goes before `-> R`, or after the `)` of the parameters of a fn without a return type
    raises: list[cst.Annotation | cst.Parameters] = field(default_factory=list)
    fn_names: list[str] = field(default_factory=list)
    struct_names: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    noted: set[str] = field(default_factory=set)  # qualnames a note is about
    dataclasses: set[str] = field(default_factory=set)  # @dataclass classes turned into structs
    dropped_imports: int = 0  # `dataclass` imports no longer needed

    def note(self, qualname: str, text: str) -> None:
        self.noted.add(qualname)
        self.notes.append(text)

    @property
    def upgraded(self) -> bool:
        return bool(self.fns or self.structs)


@dataclass
class _FnFacts:
    node: cst.FunctionDef
    qualname: str
    self_param: str | None  # first parameter of a method (self), None for functions/staticmethods
    skip: str | None = None
    mutated: set[str] = field(default_factory=set)
    rebound: set[str] = field(default_factory=set)
    passes: list[tuple[str, int | str, str]] = field(default_factory=list)
    method_calls: list[tuple[str, str]] = field(default_factory=list)
    fill: probe.Fill | None = None  # a module-level fn: what its missing annotations mean (probe.fill)


def _fill(node: cst.FunctionDef, classes: frozenset[str]) -> probe.Fill:
    """probe.fill of this module-level def: the reading the probe and the checker give it."""
    tree = ast.parse(cst.Module(body=[node]).code)
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    return probe.fill(func, classes)


def _fn_facts(node: cst.FunctionDef, qualname: str, *, method: bool, mutating: frozenset[str],
              classes: frozenset[str] = frozenset(), object_tier: bool = False) -> _FnFacts:
    decorators = decorator_names(node)
    params = all_params(node.params)
    self_param = None
    typed = params
    if method and "staticmethod" not in decorators and params:
        self_param = params[0].name.value if "classmethod" not in decorators else None
        typed = params[1:]
    facts = _FnFacts(node, qualname, self_param)
    if node.asynchronous is not None:
        facts.skip = "async functions stay Python"
        return facts
    if not method:
        facts.fill = _fill(node, classes)
        if facts.fill.object_tier or object_tier:
            return facts  # every parameter is the caller's object: no convention to find
    untyped = [p.name.value for p in typed if p.annotation is None]
    if untyped:
        facts.skip = f"parameter {untyped[0]!r} has no type annotation"
        return facts
    if node.returns is None and not returns_nothing(node):
        facts.skip = "it returns a value but has no return annotation"
        return facts
    names = {p.name.value for p in params}
    in_place = {p.name.value for p in params if annotation_head(p.annotation) in IN_PLACE_TYPES}
    scan = MutationScan(names, in_place, mutating)
    node.body.visit(scan)
    facts.mutated, facts.rebound = scan.mutated, scan.rebound
    facts.passes, facts.method_calls = scan.passes, scan.method_calls
    both = sorted((facts.mutated & facts.rebound) - {self_param})
    if both:
        facts.skip = f"parameter {both[0]!r} is both rebound and mutated in place (no convention says that)"
    if self_param is not None and self_param in facts.rebound:
        facts.skip = f"it rebinds {self_param!r}"
    return facts


def _propagate(functions: dict[str, _FnFacts]) -> None:
    """Passing a parameter to an upgraded fn's `mut` parameter mutates it too; to a fixed point."""
    handed: list[tuple[str, str, str, str]] = []
    for name, facts in functions.items():
        for callee, where, ours in facts.passes:
            target = functions.get(callee)
            if target is None:
                continue
            if isinstance(where, int):
                names = positional_names(target.node.params)
                if where >= len(names):
                    continue
                where = names[where]
            handed.append((name, ours, callee, where))
    mutated = {name: facts.mutated for name, facts in functions.items()}
    spread_through_calls(mutated, handed)


@dataclass
class _StructFacts:
    node: cst.ClassDef
    qualname: str
    methods: dict[str, _FnFacts]
    fields: list[tuple[str, str]]  # (name, annotation source) to declare
    skip: str | None = None
    dataclass: bool = False  # a plain @dataclass: the decorator goes, its __init__ is written out
    generated_init: cst.FunctionDef | None = None


def _docstring_end(body: list[cst.BaseStatement]) -> int:
    if body and isinstance(body[0], cst.SimpleStatementLine):
        first = body[0].body[0] if body[0].body else None
        if isinstance(first, cst.Expr) and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString)):
            return 1
    return 0


class _SelfFields(cst.CSTVisitor):
    """`self.NAME` assignments in a method, in order, with the type each one states or implies."""

    def __init__(self, self_name: str, param_types: dict[str, str], module: cst.Module) -> None:
        super().__init__()
        self.self_name = self_name
        self.param_types = param_types
        self.module = module
        self.found: list[tuple[str, str | None]] = []

    def _field(self, target: cst.BaseExpression) -> str | None:
        if (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == self.self_name
        ):
            return target.attr.value
        return None

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            name = self._field(target.target)
            if name is not None:
                implied = None
                if isinstance(node.value, cst.Name):
                    implied = self.param_types.get(node.value.value)
                self.found.append((name, implied))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        name = self._field(node.target)
        if name is not None:
            self.found.append((name, self.module.code_for_node(node.annotation.annotation)))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        name = self._field(node.target)
        if name is not None:
            self.found.append((name, None))


def is_plain_dataclass(decorator: cst.Decorator) -> bool:
    """`@dataclass`, `@dataclass()` or `@dataclasses.dataclass[()]`: exactly what a struct provides
    (field-wise `__init__`, `__repr__`, `__eq__`). Options such as `frozen=True` are not."""
    expr = decorator.decorator
    if isinstance(expr, cst.Call):
        if expr.args:
            return False
        expr = expr.func
    if isinstance(expr, cst.Attribute):
        return expr.attr.value == "dataclass" and isinstance(expr.value, cst.Name) and expr.value.value == "dataclasses"
    return isinstance(expr, cst.Name) and expr.value == "dataclass"


def _decorator_name(decorator: cst.Decorator) -> str | None:
    expr = decorator.decorator
    if isinstance(expr, cst.Call):
        expr = expr.func
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return expr.value if isinstance(expr, cst.Name) else None


def _dataclass_init(node: cst.ClassDef, module: cst.Module) -> tuple[cst.FunctionDef | None, str | None]:
    """The `__init__` a plain dataclass generates, written out; or why it cannot be."""
    assert isinstance(node.body, cst.IndentedBlock)
    params: list[str] = []
    lines: list[str] = []
    has_init = has_post_init = False
    for stmt in node.body.body:
        if isinstance(stmt, cst.FunctionDef):
            has_init |= stmt.name.value == "__init__"
            has_post_init |= stmt.name.value == "__post_init__"
            continue
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if not (isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name)):
                continue
            name = small.target.value
            head = annotation_head(small.annotation)
            if head in ("ClassVar", "InitVar", "KW_ONLY"):
                return None, f"its field {name!r} is a {head}"
            if isinstance(small.value, cst.Call):
                return None, f"its field {name!r} has a computed default ({module.code_for_node(small.value)})"
            param = f"{name}: {module.code_for_node(small.annotation.annotation)}"
            if small.value is not None:
                param += f" = {module.code_for_node(small.value)}"
            params.append(param)
            lines.append(f"self.{name} = {name}")
    if has_init:
        return None, None
    if has_post_init:
        lines.append("self.__post_init__()")
    indent = module.default_indent
    body = "".join(f"{indent}{line}\n" for line in lines or ["pass"])
    source = f"def __init__({', '.join(['self', *params])}) -> None:\n{body}"
    init = cst.parse_statement(source, config=module.config_for_parsing)
    assert isinstance(init, cst.FunctionDef)
    return init.with_changes(leading_lines=[cst.EmptyLine(indent=False)]), None


def _struct_facts(
    node: cst.ClassDef, module: cst.Module, attributes: dict[str, str], mutating: frozenset[str]
) -> _StructFacts:
    qualname = node.name.value
    facts = _StructFacts(node, qualname, {}, [])
    if not isinstance(node.body, cst.IndentedBlock):
        return facts
    plain = [d for d in node.decorators if is_plain_dataclass(d)]
    configured = [d for d in node.decorators if _decorator_name(d) == "dataclass" and not is_plain_dataclass(d)]
    if configured:
        facts.skip = f"@{module.code_for_node(configured[0].decorator)} has options a struct does not provide"
        return facts
    if plain:
        facts.dataclass = True
        if any(d.trailing_whitespace.comment is not None or _has_comment(d.leading_lines) for d in plain):
            facts.skip = "a comment sits on its @dataclass line"
            return facts
        facts.generated_init, facts.skip = _dataclass_init(node, module)
        if facts.skip is not None:
            return facts
    declared: set[str] = set()
    for stmt in node.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    declared.add(small.target.value)
    stated: dict[str, str] = {}
    order: list[str] = []
    methods = [s for s in node.body.body if isinstance(s, cst.FunctionDef)]
    if facts.generated_init is not None:
        methods.append(facts.generated_init)
    methods.sort(key=lambda m: m.name.value != "__init__")
    for method in methods:
        mfacts = _fn_facts(method, f"{qualname}.{method.name.value}", method=True, mutating=mutating)
        facts.methods[method.name.value] = mfacts
        if mfacts.skip is not None:
            facts.skip = f"method {method.name.value!r}: {mfacts.skip}"
            return facts
        if mfacts.self_param is None:
            continue
        param_types = {
            p.name.value: module.code_for_node(p.annotation.annotation)
            for p in all_params(method.params)
            if p.annotation is not None
        }
        scan = _SelfFields(mfacts.self_param, param_types, module)
        method.body.visit(scan)
        for name, type_text in scan.found:
            if name not in order:
                order.append(name)
            if type_text is not None and name not in stated:
                stated[name] = type_text
    for name in order:
        if name in declared:
            continue
        type_text = stated.get(name) or attributes.get(f"{qualname}.{name}")
        if type_text is None:
            facts.skip = f"the type of field {name!r} is unknown"
            return facts
        facts.fields.append((name, type_text))
    return facts


def _mut_self_methods(facts: _StructFacts) -> set[str]:
    """Methods that change self: assign/mutate a field, or call such a method; to a fixed point."""
    mut = {
        name
        for name, m in facts.methods.items()
        if m.self_param is not None and m.self_param in m.mutated and name != "__init__"
    }
    changed = True
    while changed:
        changed = False
        for name, m in facts.methods.items():
            if name in mut or m.self_param is None or name == "__init__":
                continue
            if any(root == m.self_param and called in mut for root, called in m.method_calls):
                mut.add(name)
                changed = True
    return mut


def _emit_fn(node: cst.FunctionDef, facts: _FnFacts, conventions: dict[str, str], marks: Marks) -> cst.FunctionDef:
    """The def marked as a fn; its signature is kept as written (a missing type means what codegen/fill.py
    says, read by the checker), so its Python reading, and a type checker's verdict, stay the original's."""
    marks.fns.append(node.name)
    marks.fn_names.append(facts.qualname)
    for param in all_params(node.params):
        convention = conventions.get(param.name.value)
        if isinstance(param.star, str) and param.star:
            continue  # *args/**kwargs are fresh objects each call: mutating them is invisible to callers
        if convention is not None:
            marks.conventions.append((param.name, convention))
    if can_raise(node):
        marks.raises.append(node.returns if node.returns is not None else node.params)
    marks.var_decls.extend(local_declarations(node))
    return node


def _param_conventions(facts: _FnFacts) -> dict[str, str]:
    out = {name: "var" for name in facts.rebound}
    out.update({name: "mut" for name in facts.mutated})
    if facts.self_param is not None:
        out.pop(facts.self_param, None)
    return out


def _emit_struct(
    node: cst.ClassDef, facts: _StructFacts, mut_methods: set[str], marks: Marks
) -> cst.ClassDef:
    marks.structs.append(node.name)
    marks.struct_names.append(facts.qualname)
    assert isinstance(node.body, cst.IndentedBlock)
    stmts: list[cst.BaseStatement] = []
    for stmt in node.body.body:
        if isinstance(stmt, cst.FunctionDef):
            mfacts = facts.methods[stmt.name.value]
            conventions = _param_conventions(mfacts)
            if mfacts.self_param is not None:
                if stmt.name.value == "__init__":
                    conventions[mfacts.self_param] = "out"
                elif stmt.name.value in mut_methods:
                    conventions[mfacts.self_param] = "mut"
            stmts.append(_emit_fn(stmt, mfacts, conventions, marks))
            continue
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    marks.var_decls.append(small.target)
        stmts.append(stmt)
    if facts.generated_init is not None:
        init = facts.generated_init
        at = 1 + max((i for i, st in enumerate(stmts) if _declares_field(st)), default=_docstring_end(stmts) - 1)
        stmts.insert(at, _emit_fn(init, facts.methods["__init__"], {_first_param(init): "out"}, marks))
    if facts.fields:
        at = _docstring_end(stmts)
        decls: list[cst.BaseStatement] = []
        for name, type_text in facts.fields:
            target = cst.Name(name)
            marks.var_decls.append(target)
            annotation = cst.Annotation(cst.parse_expression(type_text))
            decls.append(cst.SimpleStatementLine(body=[cst.AnnAssign(target=target, annotation=annotation)]))
        following = stmts[at] if at < len(stmts) else None
        if isinstance(following, (cst.FunctionDef, cst.ClassDef)) and not following.leading_lines:
            stmts[at] = following.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
        stmts[at:at] = decls
    if facts.dataclass:
        marks.dataclasses.add(facts.qualname)
    decorators = [d for d in node.decorators if not (facts.dataclass and is_plain_dataclass(d))]
    return node.with_changes(decorators=decorators, body=node.body.with_changes(body=stmts))


def _declares_field(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) for small in stmt.body
    )


def _first_param(func: cst.FunctionDef) -> str:
    return all_params(func.params)[0].name.value


def _mark_python_class_methods(node: cst.ClassDef, plan: Plan, marks: Marks) -> None:
    """The ready methods of a class that stays a Python class become `fn` as written: an object-tier
    method takes every parameter as the object it is given and needs no annotation, no convention and
    no `var`, so nothing but the keyword changes (the Python reading is the def, byte for byte)."""
    if not isinstance(node.body, cst.IndentedBlock):
        return
    for stmt in node.body.body:
        qualname = f"{node.name.value}.{stmt.name.value}" if isinstance(stmt, cst.FunctionDef) else None
        if isinstance(stmt, cst.FunctionDef) and stmt.asynchronous is None and qualname in plan.functions:
            marks.fns.append(stmt.name)
            if qualname not in marks.fn_names:  # a property's getter and setter are one qualname
                marks.fn_names.append(qualname)


def _note_unplaced(plan: Plan, marks: Marks) -> None:
    """Say why a ready function did not become a fn when nothing else said it."""
    said = set(marks.fn_names) | set(marks.struct_names) | marks.noted
    for qualname in sorted(plan.functions - said):
        owner = qualname.split(".")[0]
        if "." in qualname and owner in marks.struct_names:
            continue
        marks.note(
            qualname,
            f"function {qualname} stays a def: fn is emitted for module-level functions and the methods of "
            "module-level classes only"
        )


def upgrade_module(module: cst.Module, plan: Plan, attributes: dict[str, str] | None = None) -> tuple[cst.Module, Marks]:
    """Apply the plan to module-level functions and classes; returns the new tree and its marks."""
    attributes = attributes or {}
    marks = Marks()
    counts = Counter(
        s.name.value for s in module.body if isinstance(s, (cst.FunctionDef, cst.ClassDef))
    )
    twice = {name for name, n in counts.items() if n > 1}
    for name in sorted(twice & (plan.functions | plan.classes)):
        marks.note(name, f"{name} stays Python: the module defines it more than once")
    plan = Plan(plan.functions - twice, plan.classes - twice, plan.objects)
    structs: dict[str, _StructFacts] = {}
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef) and stmt.name.value in plan.classes:
            sfacts = _struct_facts(stmt, module, attributes, MUTATING_METHODS)
            if sfacts.skip is not None:
                marks.note(sfacts.qualname, f"class {sfacts.qualname} stays a class: {sfacts.skip}")
            else:
                structs[sfacts.qualname] = sfacts
    mut_methods = {name: _mut_self_methods(s) for name, s in structs.items()}
    mutating = MUTATING_METHODS.union(*mut_methods.values())
    functions: dict[str, _FnFacts] = {}
    classes = frozenset(s.name.value for s in module.body if isinstance(s, cst.ClassDef))
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value in plan.functions:
            facts = _fn_facts(stmt, stmt.name.value, method=False, mutating=mutating, classes=classes,
                              object_tier=stmt.name.value in plan.objects)
            if facts.skip is not None:
                marks.note(facts.qualname, f"function {facts.qualname} stays a def: {facts.skip}")
            else:
                functions[facts.qualname] = facts
    _propagate(functions)
    body: list[cst.BaseStatement] = []
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value in functions:
            facts = functions[stmt.name.value]
            body.append(_emit_fn(stmt, facts, _param_conventions(facts), marks))
        elif isinstance(stmt, cst.ClassDef) and stmt.name.value in structs:
            name = stmt.name.value
            body.append(_emit_struct(stmt, structs[name], mut_methods[name], marks))
        else:
            if isinstance(stmt, cst.ClassDef) and stmt.name.value not in plan.classes | twice:
                _mark_python_class_methods(stmt, plan, marks)
            body.append(stmt)
    _note_unplaced(plan, marks)
    if not marks.upgraded:
        return module, marks
    if marks.dataclasses:
        body = _drop_unused_dataclass_imports(body, marks)
    return module.with_changes(body=body), marks


def _has_comment(lines: Sequence[cst.EmptyLine]) -> bool:
    return any(line.comment is not None for line in lines)


class _NamesUsed(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False


def _drop_unused_dataclass_imports(body: list[cst.BaseStatement], marks: Marks) -> list[cst.BaseStatement]:
    """Remove a module-level `from dataclasses import dataclass` / `import dataclasses` that the
    upgrade left unused (a whole line only, and only when no comment is on it)."""
    used = _NamesUsed()
    for stmt in body:
        stmt.visit(used)
    out: list[cst.BaseStatement] = []
    carried: list[cst.EmptyLine] = []  # blank lines of a dropped line go to the next statement
    for stmt in body:
        if (
            isinstance(stmt, cst.SimpleStatementLine)
            and len(stmt.body) == 1
            and not _has_comment(stmt.leading_lines)
            and stmt.trailing_whitespace.comment is None
            and _unused_dataclass_import(stmt.body[0], used.names)
        ):
            marks.dropped_imports += 1
            carried.extend(stmt.leading_lines)
            continue
        if carried and isinstance(stmt, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            stmt = stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines])
            carried = []
        out.append(stmt)
    return out


def _unused_dataclass_import(small: cst.BaseSmallStatement, used: set[str]) -> bool:
    if isinstance(small, cst.ImportFrom):
        module = small.module
        if not (isinstance(module, cst.Name) and module.value == "dataclasses") or small.relative:
            return False
        if isinstance(small.names, cst.ImportStar):
            return False
        aliases = small.names
        wanted = "dataclass"
    elif isinstance(small, cst.Import):
        aliases = small.names
        wanted = "dataclasses"
    else:
        return False
    for alias in aliases:
        if not (isinstance(alias.name, cst.Name) and alias.name.value == wanted):
            return False
        bound = alias.asname.name if alias.asname is not None else alias.name
        if not isinstance(bound, cst.Name) or bound.value in used:
            return False
    return True
