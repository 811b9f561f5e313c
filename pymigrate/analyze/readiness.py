"""Readiness: the one place that decides whether a function can become a `fn` and a class a `struct`.

A function is `ready` when it has no blocker of its own, everything it calls or builds is ready,
and the compiler's probe accepts it; `inferable` when the only things
missing are annotations (PM2xx) that inference can insert; `blocked` otherwise. A class is
`ready` when it has no struct blocker and every method is ready. Statuses only go down while the
verdicts propagate through calls, to a fixed point.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from pymigrate.analyze import typesys as T
from pymigrate.analyze.context import ModuleContext
from pymigrate.analyze.facts import ClassFacts, FunctionFacts, ModuleFacts, binding_problem, collect
from pymigrate.analyze.index import build as build_index
from pymigrate.analyze.model import ClassInfo, Finding, FunctionInfo, Status
from pymigrate.analyze.rules import RULES, aliasing, keywords, signature, structs
from pymigrate.analyze.rules.closures import Closures
from pymigrate.analyze.rules.fn_body import BodyChecker, BodyResult, ModuleModel, Param, Signature
from pymigrate.analyze.typecheck import TypeError_
from pymigrate.codegen import probe
from pymigrate.codegen.diagnostics import Diagnostic
from pymigrate.codegen.probe import PATH as PROBE_PATH

if TYPE_CHECKING:
    from pymigrate.superset import ParseResult

INFERABLE_CODES = ("PM2",)


@dataclass
class _Unit:
    qualname: str
    line: int
    blockers: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)  # PM2xx: missing annotations
    calls: dict[str, ast.AST] = field(default_factory=dict)
    uses: dict[str, ast.AST] = field(default_factory=dict)
    status: Status = Status.READY
    owner: str | None = None  # class qualname for methods
    upgraded: bool = False  # written `fn`/`struct` in a .pys already
    body: BodyResult | None = None  # what the body checker found (functions only)
    python_calls: bool = False  # an object fn: it calls defs and uses classes as Python does, whatever they become
    python_class: bool = False  # a method checked as a fn of its class kept Python: the class's verdict is not its
    object_tier: bool = False  # the tier rule compiles it in the object tier although its signature is native

    def settle(self) -> None:
        if any(not b.code.startswith(INFERABLE_CODES) for b in self.blockers):
            self.status = Status.BLOCKED
        elif self.notes or any(b.code.startswith(INFERABLE_CODES) for b in self.blockers):
            self.status = Status.INFERABLE if self.status != Status.BLOCKED else Status.BLOCKED


@dataclass
class Verdicts:
    functions: list[FunctionInfo]
    classes: list[ClassInfo]
    findings: list[Finding]


def assess(ctx: ModuleContext, source: str, use_probe: bool = True, superset: ParseResult | None = None,
           type_errors: Sequence[TypeError_] = ()) -> Verdicts:
    index = build_index(ctx.tree)
    facts = collect(ctx.tree, index)
    candidates = {name for name, cls in facts.top_classes.items() if not cls.nested}
    model = ModuleModel(ctx, facts, candidates, index)
    findings: list[Finding] = []
    if superset is None and keywords.may_contain_keyword(source):  # in a parsed .pys they are backticked
        findings.extend(keywords.keyword_findings(ctx, index.nodes))

    # 1. headers: signatures first, since calls and struct fields are typed from them
    units: dict[str, _Unit] = {}
    method_of: dict[str, ClassFacts] = {}
    for cls in facts.classes:
        for method in cls.methods.values():
            method_of[method.qualname] = cls
    for fn in facts.functions:
        is_method = fn.owner is not None and fn.qualname in method_of \
            and not any(_is_static(d) for d in fn.node.decorator_list)
        sig, notes, blockers = signature.signature(ctx, fn, candidates, is_method, index)
        model.signatures[fn.qualname] = sig
        unit = _Unit(fn.qualname, fn.node.lineno, blockers, notes)
        for p in sig.params:
            _note_struct_use(unit, p.type, p.node.annotation or p.node)
        _note_struct_use(unit, sig.returns, fn.node.returns or fn.node)
        if fn.qualname in method_of:
            unit.owner = method_of[fn.qualname].qualname
        units[fn.qualname] = unit

    # 2. struct fields, from each class's declarations and __init__
    class_units: dict[str, _Unit] = {}
    for cls in facts.classes:
        fields = _declared_fields(cls, candidates)
        init = cls.methods.get("__init__")
        if init is None and structs.dataclass_decorator(cls.node) is not None:
            model.signatures[cls.qualname + ".__init__"] = _dataclass_init(cls, fields)
        if init is not None and not cls.nested:
            checker = BodyChecker(model, init, model.signatures[init.qualname], cls.node.name, fields)
            _merge(units[init.qualname], checker.run())
        model.fields[cls.node.name] = fields
        cu = _Unit(cls.qualname, cls.node.lineno, structs.class_blockers(ctx, cls))
        if cls.nested:
            cu.blockers.append(ctx.finding("PM408", cls.node.lineno, cls.node.col_offset, name=cls.node.name,
                                           construct="a class defined inside a function or class"))
        cu.blockers.extend(structs.class_binding(ctx, cls, facts))
        cu.blockers.extend(structs.outside_init(ctx, cls, set(fields), index))
        for fname, ftype in fields.items():
            if ftype == T.struct_of(cls.node.name):
                cu.blockers.append(ctx.finding("PM312", cls.node.lineno, ctx.name_column(cls.node),
                                               where=f"field {fname}", type=f"{cls.node.name} (the struct itself)"))
            elif T.vague(ftype):
                cu.notes.append(ctx.finding("PM205", cls.node.lineno, ctx.name_column(cls.node), name=fname,
                                            cls=cls.node.name))
        for ftype in fields.values():
            if ftype != T.struct_of(cls.node.name):
                _note_struct_use(cu, ftype, cls.node)
        class_units[cls.qualname] = cu
    for owner, found in structs.class_attribute_writes(ctx, facts, index).items():
        class_units[facts.top_classes[owner].qualname].blockers.extend(found)
    for owner, found in aliasing.reference_semantics(ctx, facts, index).items():
        class_units[facts.top_classes[owner].qualname].blockers.extend(found)

    # 3. bodies
    closures = Closures(ctx, source, index)
    for fn in facts.functions:
        unit = units[fn.qualname]
        sig = model.signatures[fn.qualname]
        owner_cls = method_of.get(fn.qualname)
        if unit.body is None:  # a struct candidate's __init__ was checked with its fields in step 2
            self_struct = owner_cls.node.name if owner_cls is not None and not owner_cls.nested \
                and unit_is_method(sig, fn) else None
            _merge(unit, BodyChecker(model, fn, sig, self_struct).run())
        _finish_returns(unit, fn, ctx, sig)
        unit.blockers.extend(closures.findings(fn))
        scope = _scope_problem(fn, facts)
        if scope is not None:
            unit.blockers.append(ctx.finding("PM315", fn.node.lineno, ctx.name_column(fn.node),
                                             name=fn.qualname, reason=scope))

    if type_errors:
        _type_errors(ctx, facts, units, type_errors)
    if superset is not None:
        _already_upgraded(facts, units, class_units, superset)
    if use_probe:
        _checker_verdicts(ctx, facts, units, class_units)
    _propagate(ctx, facts, units, class_units)

    functions = [
        FunctionInfo(ctx.path, u.qualname, u.line, u.status, _unique(u.blockers + u.notes), sorted(u.calls),
                     "object" if u.object_tier else "native")
        for u in units.values()
    ]
    classes = [
        ClassInfo(ctx.path, u.qualname, u.line, Status.READY if u.status == Status.READY else Status.BLOCKED,
                  _unique(u.blockers + u.notes + _method_notes(u, facts, units)))
        for u in class_units.values()
    ]
    for u in (*units.values(), *class_units.values()):
        findings.extend(u.blockers)
        findings.extend(u.notes)
    return Verdicts(functions, classes, _unique(findings))


def _type_errors(ctx: ModuleContext, facts: ModuleFacts, units: dict[str, _Unit],
                 errors: Sequence[TypeError_]) -> None:
    """PM321: a mypy error inside a function's own body, or a call to it with wrong argument types."""
    spans = sorted(((fn.node.lineno, fn.node.end_lineno or fn.node.lineno, fn) for fn in facts.functions),
                   key=lambda s: s[1] - s[0])  # innermost first
    for error in errors:
        if error.callee is not None and error.callee in facts.top_functions:
            target: FunctionFacts | None = facts.top_functions[error.callee]
        else:
            target = next((fn for lo, hi, fn in spans if lo <= error.line <= hi), None)
        if target is None:
            continue
        units[target.qualname].blockers.append(Finding("PM321", ctx.path, error.line, error.column,
                                                       RULES["PM321"].message.format(message=error.message),
                                                       RULES["PM321"].severity))


def _note_struct_use(unit: _Unit, kind: str, site: ast.AST) -> None:
    """A struct named by a signature or field type (also inside list[...]) must be a struct too."""
    inner = kind
    while T.is_list(inner):
        inner = T.element(inner)
    name = T.struct_name(inner)
    if name is not None:
        unit.uses.setdefault(name, site)


def _already_upgraded(facts: ModuleFacts, units: dict[str, _Unit], class_units: dict[str, _Unit],
                      superset: ParseResult) -> None:
    """In a `.pys` module, what is written `fn`/`struct` is upgraded already: ready, nothing to report."""
    for fn in facts.functions:
        if superset.is_fn(fn.node):
            units[fn.qualname].upgraded = True
            units[fn.qualname].blockers.clear()
            units[fn.qualname].notes.clear()
            units[fn.qualname].calls.clear()
            units[fn.qualname].uses.clear()
    for cls in facts.classes:
        if superset.is_struct(cls.node):
            class_units[cls.qualname].upgraded = True
            class_units[cls.qualname].blockers.clear()
            class_units[cls.qualname].notes.clear()


def unit_is_method(sig: Signature, fn: FunctionFacts) -> bool:
    return bool(sig.params) and not any(_is_static(d) for d in fn.node.decorator_list)


def _is_static(deco: ast.expr) -> bool:
    return isinstance(deco, ast.Name) and deco.id in ("staticmethod", "classmethod")


def _dataclass_init(cls: ClassFacts, fields: dict[str, str]) -> Signature:
    """The `__init__` a dataclass generates: one parameter per field, in order, defaults kept."""
    self_arg = ast.arg(arg="self")
    params = [Param("self", T.UNKNOWN, False, self_arg)]
    for stmt in cls.node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name = stmt.target.id
            params.append(Param(name, fields.get(name, T.BAD), stmt.value is not None, ast.arg(arg=name)))
    return Signature(params, T.NONE, True)


def _declared_fields(cls: ClassFacts, structs_: set[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for stmt in cls.node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            ann = T.annotation(stmt.annotation, structs_)
            fields[stmt.target.id] = ann.type if ann.type is not None and ann.type != T.NONE else T.BAD
    return fields


def _merge(unit: _Unit, result: BodyResult) -> None:
    unit.blockers.extend(result.blockers)
    for callee, site in result.calls.items():
        unit.calls.setdefault(callee, site)
    for used, site in result.structs.items():
        unit.uses.setdefault(used, site)
    unit.body = result


def _finish_returns(unit: _Unit, fn: FunctionFacts, ctx: ModuleContext, sig: Signature) -> None:
    """PM203/PM204 for a missing return annotation; PM318 when a value-returning function can fall off."""
    result = unit.body
    if result is None:
        return
    if not sig.annotated_return:
        if any(b.code == "PM305" for b in unit.blockers):
            return
        if fn.node.name == "__init__":
            unit.notes.append(ctx.finding("PM203", fn.node.lineno, fn.node.col_offset, name=fn.node.name,
                                          type="None"))
        else:
            unit.notes.extend(signature.return_notes(ctx, fn, result.return_types, result.falls_through))
    elif result.falls_through and sig.returns not in (T.NONE, T.BAD):
        unit.blockers.append(ctx.finding("PM318", fn.node.lineno, fn.node.col_offset,
                                         what=f"`{fn.node.name}` may end without returning a value"))


def _scope_problem(fn: FunctionFacts, facts: ModuleFacts) -> str | None:
    if fn.nested:
        return "a nested function"
    if fn.conditional:
        return "defined conditionally"
    if fn.owner is None and facts.top_functions.get(fn.node.name) is not fn:
        return "bound more than once at module level"
    return binding_problem(fn.node, facts) if fn.owner is None else None


def _propagate(ctx: ModuleContext, facts: ModuleFacts, units: dict[str, _Unit],
               class_units: dict[str, _Unit]) -> None:
    """A unit is no more ready than what it calls and uses: statuses only go down, to a fixed point."""
    for unit in (*units.values(), *class_units.values()):
        unit.settle()
    while True:
        changed = False
        for unit in units.values():
            before = unit.status
            for callee, site in ({} if unit.python_calls else unit.calls).items():
                dep = units.get(callee)
                if dep is None or dep is unit:
                    continue
                if dep.status == Status.BLOCKED and not _has(unit, "PM310", callee) \
                        and not (callee.endswith(".__init__") and callee[: -len(".__init__")] in unit.uses):
                    unit.blockers.append(ctx.at("PM310", site, name=callee))
                elif dep.status == Status.INFERABLE and unit.status == Status.READY:
                    unit.status = Status.INFERABLE
            for used, site in ({} if unit.python_calls else unit.uses).items():
                cls = class_units.get(facts.top_classes[used].qualname) if used in facts.top_classes else None
                if cls is not None and cls.status == Status.BLOCKED and not _has(unit, "PM319", used):
                    unit.blockers.append(ctx.at("PM319", site, name=used))
            if unit.owner is not None and not unit.python_class:
                cls = class_units[unit.owner]
                if cls.status == Status.BLOCKED and not _has(unit, "PM315", unit.owner):
                    node = _function_node(facts, unit.qualname)
                    unit.blockers.append(ctx.finding("PM315", unit.line, ctx.name_column(node) if node else 0,
                                                     name=unit.qualname,
                                                     reason=f"a method of `{unit.owner}`, which cannot become a struct"))
                elif cls.status == Status.INFERABLE and unit.status == Status.READY:
                    unit.status = Status.INFERABLE
            unit.settle()
            changed |= unit.status != before
        for cls_facts in facts.classes:
            cu = class_units[cls_facts.qualname]
            before = cu.status
            for name, method in cls_facts.methods.items():
                mu = units[method.qualname]
                own = [b for b in mu.blockers if b.code != "PM315" and not b.code.startswith(INFERABLE_CODES)]
                if own and not _has(cu, "PM409", name):
                    reason = ", ".join(sorted({b.code for b in own}))
                    cu.blockers.append(ctx.finding("PM409", mu.line, ctx.name_column(method.node), method=name,
                                                   reason=reason))
                elif mu.status == Status.INFERABLE and cu.status == Status.READY:
                    cu.status = Status.INFERABLE
            for used, site in cu.uses.items():
                dep_cls = class_units.get(facts.top_classes[used].qualname) if used in facts.top_classes else None
                if dep_cls is not None and dep_cls.status == Status.BLOCKED and not _has(cu, "PM319", used):
                    cu.blockers.append(ctx.at("PM319", site, name=used))
            cu.settle()
            changed |= cu.status != before
        if not changed:
            return


# What the compiler's checker decides for every unit it checks: the analyzer's own findings under these codes
# are dropped for such a unit and the checker's diagnostics stand instead (docs/analyze.md, "One authority").
CHECKED_CODES = frozenset({
    "PM301", "PM302", "PM303", "PM304", "PM305", "PM306", "PM307", "PM309", "PM311", "PM312", "PM313", "PM314",
    "PM315", "PM316", "PM317", "PM318", "PM320", "PM323",
})
# A call to (or a type naming) a def or class left Python: whether it blocks is that unit's own verdict.
DEPENDENCY_CODES = frozenset({"PM310", "PM319"})


def _checker_verdicts(ctx: ModuleContext, facts: ModuleFacts, units: dict[str, _Unit],
                      class_units: dict[str, _Unit]) -> None:
    """The compiler's checker is the authority on what compiles. Every unit it can check (a module-level def
    whose parameters and return are annotated; a module-level class without struct blockers whose methods
    are, with its methods; each method of a module-level class that cannot become a struct, as a fn of that
    class kept Python) is upgraded in one checker run over the module, and its diagnostics, under their
    hint codes, replace what the analyzer's own rules found under those codes. Units it cannot check yet
    (missing annotations: they wait for inference) keep the analyzer's estimate."""
    top = {id(s) for s in ctx.tree.body}
    targets: list[ast.FunctionDef | ast.ClassDef] = []
    decided: dict[int, tuple[_Unit, ast.FunctionDef | ast.ClassDef]] = {}
    for fn in facts.functions:
        unit = units[fn.qualname]
        if fn.owner is None and id(fn.node) in top and isinstance(fn.node, ast.FunctionDef) and not unit.upgraded \
                and _checkable(fn.node, facts):
            targets.append(fn.node)
            decided[id(fn.node)] = (unit, fn.node)
    ordinary: set[int] = set()  # method nodes checked as fns of their class kept Python
    for cls in facts.classes:
        cu = class_units[cls.qualname]
        methods = list(cls.methods.values())
        if id(cls.node) not in top or cu.upgraded:
            continue
        if any(not b.code.startswith(INFERABLE_CODES) for b in cu.blockers):
            for fn in facts.functions:  # every def of the class body, a property's getter and setter both
                if not any(fn.node is s for s in cls.node.body):
                    continue
                units[fn.qualname].python_class = True
                if isinstance(fn.node, ast.FunctionDef) and not units[fn.qualname].upgraded:
                    targets.append(fn.node)
                    decided[id(fn.node)] = (units[fn.qualname], fn.node)
                    ordinary.add(id(fn.node))
            continue
        if not all(isinstance(m.node, ast.FunctionDef) and _typed(m.node, method=True) for m in methods):
            continue
        targets.append(cls.node)
        decided[id(cls.node)] = (cu, cls.node)
        for m in methods:
            assert isinstance(m.node, ast.FunctionDef)
            decided[id(m.node)] = (units[m.qualname], m.node)
    if not targets:
        return
    try:
        verdicts = probe.module_diagnostics(ctx.tree, targets)
    except Exception as exc:  # noqa: BLE001 - the compiler's failure is a verdict, it must not stop the analysis
        crash = Diagnostic(PROBE_PATH, 0, 0, f"the compiler's check failed ({type(exc).__name__}: {exc})")
        verdicts = probe.ModuleVerdicts({id(t): [crash] for t in targets}, frozenset())
    for unit, _ in decided.values():  # once per unit: two defs of one name (a property's setter) share it
        unit.blockers = [b for b in unit.blockers if b.code not in CHECKED_CODES]
    for key, (unit, node) in decided.items():
        for diag in verdicts.diagnostics.get(key, []):
            if diag.code not in DEPENDENCY_CODES:
                unit.blockers.append(_compiler_finding(ctx, diag, node, unit.qualname))
        if key in ordinary:
            # an object-tier method: its values are objects, it calls and uses everything as Python does,
            # and its upgrade writes no annotation; its class's verdict (a struct or not) is not its own
            unit.python_calls = unit.python_class = True
        elif isinstance(node, ast.FunctionDef) and unit.owner is None:
            # an object fn (by its annotations or by the tier rule) calls defs and uses classes as Python does
            unit.object_tier = key in verdicts.object_tier
            unit.python_calls = unit.object_tier or probe.fill(node, facts.top_classes).object_tier
        if unit.python_calls and isinstance(node, ast.FunctionDef):
            # an object fn's nested functions are Python with cells: no PM308 estimate
            unit.blockers = [b for b in unit.blockers if b.code != "PM308"]
    for key, (unit, node) in decided.items():
        if isinstance(node, ast.FunctionDef) and (key in ordinary or unit.owner is None and not _typed(
                node, method=False)) and not any(b.code in CHECKED_CODES for b in unit.blockers):
            # the checker accepted the object fn the migrator writes (its missing types read as probe.fill
            # says): nothing left to infer
            unit.notes = [n for n in unit.notes if n.code not in FILLED_CODES]


# missing annotations a module-level fn needs none for (read `object`, or `None`, never written): probe.fill
FILLED_CODES = frozenset({"PM201", "PM202", "PM203", "PM204"})


def _checkable(node: ast.FunctionDef, facts: ModuleFacts) -> bool:
    """A module-level def the checker can check: annotated, or object-tier by an annotation it has (bytes,
    Optional, dict...) with the missing ones read as the checker reads them (probe.fill). A def with no
    such annotation waits for inference, which may give it native types."""
    return _typed(node, method=False) or probe.fill(node, facts.top_classes).declared


def _typed(node: ast.FunctionDef, *, method: bool) -> bool:
    """Every parameter (but a method's self) and the return annotated: the checker can check the body."""
    args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
    if method and args:
        args = args[1:]
    returns = node.returns is not None or (method and node.name == "__init__")
    return returns and all(a.annotation is not None for a in args)


def _compiler_finding(ctx: ModuleContext, diag: Diagnostic, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
                      qualname: str) -> Finding:
    """The checker's diagnostic as a hint: its code and its message, at its position (or at the name of the
    function or class when it has none of its own). PM320 (no narrower code) names the unit it rejects."""
    if diag.code == "PM320":
        return ctx.finding("PM320", node.lineno, ctx.name_column(node), name=qualname, reason=probe.reason(diag))
    rule = RULES[diag.code]
    if diag.line:
        line, column = diag.line, ctx.locator.column(diag.line, diag.col - 1)
    else:
        line, column = node.lineno, ctx.locator.column(node.lineno, ctx.name_column(node))
    return Finding(diag.code, ctx.path, line, column, diag.message, rule.severity)


def _method_notes(cu: _Unit, facts: ModuleFacts, units: dict[str, _Unit]) -> list[Finding]:
    """A class waiting only for its methods' annotations lists those as its blockers."""
    if cu.status != Status.INFERABLE:
        return []
    for cls in facts.classes:
        if cls.qualname == cu.qualname:
            return [n for m in cls.methods.values() for n in units[m.qualname].notes]
    return []


def _has(unit: _Unit, code: str, name: str) -> bool:
    return any(b.code == code and f"`{name}`" in b.message for b in unit.blockers)


def _function_node(facts: ModuleFacts, qualname: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for fn in facts.functions:
        if fn.qualname == qualname:
            return fn.node
    return None


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[Finding] = set()
    out: list[Finding] = []
    for f in findings:
        if f not in seen:
            seen.add(f)
            out.append(f)
    out.sort(key=Finding.sort_key)
    return out
