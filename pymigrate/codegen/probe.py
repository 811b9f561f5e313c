"""Ask the compiler whether a plain `def`/`class` would compile once upgraded to `fn`/`struct`.

The upgrade is synthesized the way the migrator writes it (parameter and return
types as annotated, a missing one left out and read by the checker as codegen/fill.py
says, locals declared at their first binding, parameters `mut` where mutated in place
and `var` where rebound, struct fields from class-level annotations or annotated
assignments in __init__) and handed to the checker, so
the answer is the compiler's own. A few Python behaviours that would compile but
change meaning (value semantics where Python shares a list or an object) are
reported too.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from typing import Iterator, Sequence

from pymigrate.codegen.checker import Checker
from pymigrate.codegen.diagnostics import CompileError, Diagnostic
from pymigrate.codegen.fill import Fill as Fill
from pymigrate.codegen.fill import fill as fill
from pymigrate.codegen.ir import FuncIR, ModuleIR
from pymigrate.codegen.marks import SyntheticMarks
from pymigrate.codegen.types import Ty
from pymigrate.mutation import LIST_MUTATORS, changed_while_iterated, iterated_changed, root_name, spread_through_calls

PATH = "<probe>"


def fn_diagnostics(func: ast.FunctionDef, module: ast.Module) -> list[Diagnostic]:
    """The checker's diagnostics (with their hint codes) on this def upgraded to a fn; empty: it compiles.

    A diagnostic at line 0 has no position of its own (a callee's or a scope's reason): its message says it.
    """
    shared = _shared(module)
    if id(func) not in shared.top:
        owner = next(
            (c for c in module.body if isinstance(c, ast.ClassDef) and func in c.body), None
        )
        if owner is not None:
            return struct_diagnostics(owner, module)
        return [_unplaced("only module-level functions and methods of a struct can be compiled")]
    probe = _Probe(module, shared)
    if probe.reaches_class(func):  # upgrading a class rewrites it: that probe needs a copy of its own
        return _Probe(module).run(func)
    return probe.run(func)


def struct_diagnostics(cls: ast.ClassDef, module: ast.Module) -> list[Diagnostic]:
    """The checker's diagnostics on this class upgraded to a struct; empty: it compiles."""
    if id(cls) not in _shared(module).top:
        return [_unplaced("only module-level classes can become structs")]
    return _Probe(module).run(cls)


def method_diagnostics(func: ast.FunctionDef, module: ast.Module) -> list[Diagnostic]:
    """The checker's diagnostics on this method upgraded to a `fn` as written, its module-level class
    kept a Python class (an object-tier method, docs/compiler.md); empty: it compiles.

    The upgrade changes nothing else (no annotations are needed: the method's values are objects),
    so the verdict is the checker's on the module with that one mark.
    """
    if not any(isinstance(c, ast.ClassDef) and func in c.body for c in module.body):
        return [_unplaced("only methods of module-level classes become fn methods")]
    try:
        Checker(SyntheticMarks(module, PATH, fns={id(func)})).run()
    except CompileError as exc:
        return list(exc.diagnostics)
    return []


@dataclass(frozen=True)
class ModuleVerdicts:
    """The checker's verdict on every target of one module (module_diagnostics)."""

    diagnostics: dict[int, list[Diagnostic]]  # by the id of the target's node (a struct method's: its own)
    object_tier: frozenset[int]  # defs with native signatures the tier rule compiles in the object tier: their
    # upgrade takes no convention


def module_diagnostics(
    module: ast.Module, targets: Sequence[ast.FunctionDef | ast.ClassDef], *, tier_rule: bool = False
) -> ModuleVerdicts:
    """One checker run over the module with every target (module-level defs and classes) upgraded at once.

    Returns each target's diagnostics by the id of its node, a struct method's by the method's own node; a
    target the checker accepts gets the value-semantics reasons instead (PM320). A call from a target to a def
    or class left Python (or whose signature the checker refused) is PM310/PM319: whether it blocks the caller
    is the callee's own verdict, which the analyzer follows through the call graph to a fixed point.

    A target may also be a method of a module-level class that is not itself a target: it is upgraded as
    `method_diagnostics` upgrades it, a `fn` in its class kept Python (an object-tier method, nothing else
    written), so one run judges module-level defs, structs and the methods of ordinary classes together.

    With `tier_rule` (opt-in, Checker.run) the rule decides each def's tier. A def the native tier accepts
    whose native upgrade would change what Python observes (value semantics) is not moved: the upgrade as
    written (`fn` with native annotations) would compile natively again, with the copies.
    """
    module_level = {id(s) for s in module.body}
    in_class = {id(m) for c in module.body if isinstance(c, ast.ClassDef) and id(c) not in {id(t) for t in targets}
                for m in c.body if isinstance(m, ast.FunctionDef)}
    rewritten = frozenset(id(t) for t in targets if id(t) in module_level and isinstance(t, ast.ClassDef))
    probe = _Probe(module, _Prepared(module, rewritten))
    nodes: list[ast.FunctionDef | ast.ClassDef] = []
    for t in targets:
        if id(t) not in module_level:  # a method of a class kept Python: that class is not copied, the node is the one read
            if id(t) not in in_class:
                raise ValueError(f"{t.name} is neither module-level nor a method of a module-level class left Python")
            nodes.append(t)
            continue
        copied = probe.index[id(t)]
        assert isinstance(copied, (ast.FunctionDef, ast.ClassDef))
        nodes.append(copied)
    for node in nodes:
        if isinstance(node, ast.ClassDef):
            probe._upgrade_struct(node)
        elif id(node) in in_class:
            probe.marks.fns.add(id(node))
        elif isinstance(node, ast.FunctionDef):
            probe._upgrade_fn(node, None)
    checker = Checker(probe.marks, implicit_decls=True, tier_rule=tier_rule)
    try:
        mir = checker.run()
        diags: list[Diagnostic] = []
    except CompileError as exc:
        diags = exc.diagnostics
        mir = ModuleIR(PATH, checker.functions, checker.structs, checker.constants, checker.types, checker.calls,
                       checker.python_body, checker.consts, checker.unbound)
    tier = {id(orig) for node, orig in zip(nodes, targets) if isinstance(node, ast.FunctionDef)
            and id(orig) in module_level and node.name in checker.objects}
    # each line of the module belongs to at most one target and one method: a map from line to owner keeps
    # assigning diagnostics linear in the module (a scan of every span per diagnostic was quadratic)
    top: dict[int, int] = {}  # line -> id of the original target whose span holds it
    inner: dict[int, int] = {}  # line -> id of the original method (of a class target) whose span holds it
    for node, orig in zip(nodes, targets):
        for line in range(_first_line(node), (node.end_lineno or node.lineno) + 1):
            top[line] = id(orig)
        if isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, ast.FunctionDef):
                    source = next((m for m in orig.body if isinstance(m, ast.FunctionDef) and m.name == sub.name
                                   and m.lineno == sub.lineno), None)
                    if source is not None:
                        for line in range(_first_line(sub), (sub.end_lineno or sub.lineno) + 1):
                            inner[line] = id(source)
    # an object fn's parameters are the caller's objects: the native upgrade's convention reasons do not apply
    probe.blockers = [d for d in probe.blockers if top.get(d.line) not in tier]
    out: dict[int, list[Diagnostic]] = {id(t): [] for t in targets}
    hit: set[int] = set()
    for d in [*diags, *probe.blockers]:
        key = inner.get(d.line, top.get(d.line))
        if key is not None:
            out.setdefault(key, []).append(d)
        if d.line in top:
            hit.add(top[d.line])
    index = _FunctionIndex(mir)
    for node, orig in zip(nodes, targets):
        if id(orig) not in hit and id(orig) not in tier:
            out[id(orig)].extend(probe._semantic_blockers(node, mir, index))
    return ModuleVerdicts(out, frozenset(tier))


def _first_line(node: ast.FunctionDef | ast.ClassDef) -> int:
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


def fn_blockers(func: ast.FunctionDef, module: ast.Module) -> list[str]:
    """Reasons this def would not compile as a fn, as text (empty: it compiles)."""
    return [reason(d) for d in fn_diagnostics(func, module)]


def struct_blockers(cls: ast.ClassDef, module: ast.Module) -> list[str]:
    """Reasons this class would not compile as a struct, as text (empty: it compiles)."""
    return [reason(d) for d in struct_diagnostics(cls, module)]


def reason(d: Diagnostic) -> str:
    """`line:col: message`, or the message alone for a diagnostic without a position of its own."""
    return f"{d.line}:{d.col}: {d.message}" if d.line else d.message


def _unplaced(message: str) -> Diagnostic:
    return Diagnostic(PATH, 0, 0, message, "PM315")


def _at(line: int, col: int, message: str, code: str = "PM320") -> Diagnostic:
    return Diagnostic(PATH, line, col, message, code)


class _Prepared:
    """A module's copy and the facts every probe of it starts from, made once per module.

    The analyzer probes a module's functions one after another; copying and indexing the whole
    module for each made analysis quadratic in the module's size. Probes that upgrade only
    functions leave the copy as it is (the marks are their own), so they share it; a probe that
    upgrades a class rewrites the class and takes a fresh copy.
    """

    def __init__(self, module: ast.Module, rewritten: frozenset[int] | None = None) -> None:
        self.module = module
        self.top = {id(s) for s in module.body}
        if rewritten is None:
            self.tree = copy.deepcopy(module)
            self.index = {id(o): c for o, c in zip(ast.walk(module), ast.walk(self.tree))}
        else:  # only the classes an upgrade rewrites are copied; the checker reads the rest as it is
            self.tree = ast.Module(body=[copy.deepcopy(s) if id(s) in rewritten else s for s in module.body],
                                   type_ignores=module.type_ignores)
            self.index = {id(s): c for s, c in zip(module.body, self.tree.body)}
        self.defs = {s.name: s for s in self.tree.body if isinstance(s, ast.FunctionDef)}
        self.classes = {s.name: s for s in self.tree.body if isinstance(s, ast.ClassDef)}
        self.mutated = _mutated_params(self.defs)


_LAST: list[_Prepared] = []  # the module probed last (kept alive, so identity is a safe key)


def _shared(module: ast.Module) -> _Prepared:
    if not _LAST or _LAST[0].module is not module:
        _LAST[:] = [_Prepared(module)]
    return _LAST[0]


class _Probe:
    def __init__(self, module: ast.Module, prepared: _Prepared | None = None) -> None:
        self.original = module
        prepared = prepared or _Prepared(module)
        self.tree = prepared.tree
        self.index = prepared.index
        self.marks = SyntheticMarks(self.tree, PATH)
        self.blockers: list[Diagnostic] = []
        self.defs = prepared.defs
        self.classes = prepared.classes
        self.spans: dict[str, tuple[int, int]] = {}
        self.mutated = prepared.mutated

    def reaches_class(self, target: ast.FunctionDef | ast.ClassDef) -> bool:
        """Would upgrading `target` upgrade a class too (itself, or one it uses or calls)?"""
        return any(isinstance(node, ast.ClassDef) for node in self._reach(self.index[id(target)]))

    def run(self, target: ast.FunctionDef | ast.ClassDef) -> list[Diagnostic]:
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
        for node in self._reach(target):
            if isinstance(node, ast.FunctionDef):
                self._upgrade_fn(node, None)
            elif isinstance(node, ast.ClassDef):
                self._upgrade_struct(node)

    def _reach(self, target: ast.AST) -> Iterator[ast.AST]:
        """The target, then each def it calls and class it names, transitively. Each node is
        walked after the caller has seen (and possibly upgraded) it, as an upgrade adds names.
        An object fn needs nothing upgraded: it calls defs and classes as Python does."""
        if isinstance(target, ast.FunctionDef) and fill(target, self.classes).object_tier:
            yield target
            return
        todo: list[ast.AST] = [target]
        seen: set[int] = set()
        while todo:
            node = todo.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            yield node
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
        if owner is None and fill(fn, self.classes).object_tier:
            return  # an object fn's parameters are the caller's objects: no convention
        args = fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs
        for i, arg in enumerate(args):
            if owner is not None and i == 0:
                if fn.name == "__init__":
                    self.marks.conventions[id(arg)] = "out"
                elif _mutates(fn.body, arg.arg):
                    self.marks.conventions[id(arg)] = "mut"
                continue
            mutated = arg.arg in self.mutated.get(fn.name, set()) if owner is None else _mutates(fn.body, arg.arg)
            rebound = _rebinds(fn.body, arg.arg)
            if mutated and rebound:
                self.blockers.append(_at(
                    fn.lineno, fn.col_offset + 1, f"parameter '{arg.arg}' of {key}() is both changed in place "
                    "and rebound; a fn parameter is either `mut` (shared) or `var` (a copy), not both"
                ))
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
    def _explain(self, target: ast.FunctionDef | ast.ClassDef, diags: list[Diagnostic]) -> list[Diagnostic]:
        """The target's own diagnostics as they are; one in a def or class its upgrade needs too is a reason
        of the target under that dependency's code (PM310 a function, PM319 a class), its message saying why."""
        lo, hi = target.lineno, target.end_lineno or target.lineno
        if isinstance(target, ast.FunctionDef) and target.decorator_list:
            lo = min(lo, target.decorator_list[0].lineno)
        own = [d for d in diags if lo <= d.line <= hi]
        reasons = list(own)
        for d in diags:
            if d in own:
                continue
            where = next((k for k, (a, b) in self.spans.items() if a <= d.line <= b), None)
            if where is None:
                continue
            kind = "class" if where in self.classes else "function"
            reasons.append(Diagnostic(PATH, 0, 0, f"uses {kind} '{where}', which would not compile: {reason(d)}",
                                      "PM319" if kind == "class" else "PM310"))
        return reasons or [Diagnostic(PATH, 0, 0, str(d), d.code) for d in diags[:1]]

    def _semantic_blockers(
        self, target: ast.FunctionDef | ast.ClassDef, mir: ModuleIR, index: _FunctionIndex | None = None
    ) -> list[Diagnostic]:
        """Value semantics differ from Python's sharing when a list or struct is aliased, then changed or returned.

        One rule: a list/struct value that comes from a parameter, an element or a field (an alias in
        Python, a copy in a fn) must not be changed or handed back, and a struct field must not hold one.
        """
        funcs = [target] if isinstance(target, ast.FunctionDef) else [
            s for s in target.body if isinstance(s, ast.FunctionDef)
        ]
        out: list[Diagnostic] = _shared_fields(target, mir) if isinstance(target, ast.ClassDef) else []
        index = index or _FunctionIndex(mir)
        keyed = index.keyed
        for fn in funcs:
            params = {a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs}
            borrowed = set(params)
            ir_fn = index.by_node.get(id(fn))
            for p in ir_fn.params if ir_fn is not None else []:
                elem = _elem(p.ty)
                # the wrapper writes a list of lists or structs back item by item into the caller's item
                # objects (bindings.Bindings.write_list_fn), as long as the fn keeps them where they are;
                # moving them makes every native run deopt to the Python reading, whose copies differ
                if p.convention == "mut" and _is_ref(elem) and _reshapes(fn, p.name, mir, keyed):
                    out.append(_at(
                        p.node.lineno, p.node.col_offset + 1, f"parameter '{p.name}' holds lists/structs and its "
                        "items are replaced, reordered, removed or added; a fn can only follow which item object "
                        "went where by running as Python, so keep this a def"
                    ))
            for stmt in ast.walk(fn):
                if isinstance(stmt, ast.For) and _elem(mir.types.get(id(stmt.iter))) is not None:
                    changed = changed_while_iterated(stmt.body, stmt.iter)
                    if changed is not None:
                        out.append(_at(getattr(changed, "lineno", stmt.lineno), getattr(changed, "col_offset", 0) + 1,
                                       iterated_changed(ast.unparse(stmt.iter))))
                for name, pos, roots, binds in _aliases(stmt, mir):
                    if binds:
                        borrowed.add(name)
                    if any(_changed_after(fn.body, n, pos, mir, keyed) for n in (name, *roots)):
                        out.append(_at(
                            pos[0], pos[1] + 1, f"'{name}' shares a list/object with another name and one of them "
                            "is changed afterwards; in a fn assignment copies (value semantics), so keep this a def"
                        ))
                if isinstance(stmt, ast.For) and isinstance(stmt.target, ast.Name) and _is_ref(
                    _elem(mir.types.get(id(stmt.iter)))
                ):
                    name = stmt.target.id
                    borrowed.add(name)
                    if any(_changes(s, name, mir, keyed) for s in stmt.body):
                        out.append(_at(
                            stmt.lineno, stmt.col_offset + 1, f"loop variable '{name}' is an element of "
                            f"`{ast.unparse(stmt.iter)}` and is changed in the loop; in a fn it is a copy (value "
                            "semantics), so the change would not reach the list: keep this a def"
                        ))
            for ret in ast.walk(fn):
                if not (isinstance(ret, ast.Return) and ret.value is not None):
                    continue
                root = next((r for r in _borrowed_roots(ret.value) if r in borrowed), None)
                if root is not None and _is_ref(mir.types.get(id(ret.value))):
                    whole = isinstance(ret.value, ast.Name)
                    what = ("the parameter" if whole else "part of the parameter") if root in params else (
                        "a name bound to (part of) a parameter,"
                    )
                    out.append(_at(
                        ret.lineno, ret.col_offset + 1, f"returns `{ast.unparse(ret.value)}`, {what} '{root}'; "
                        "Python hands back the same list/object, a fn returns a copy (value semantics), so changes "
                        "through the result would not reach it: keep this a def"
                    ))
        return list(dict.fromkeys(out))


class _FunctionIndex:
    """A checked module's functions by key and by their AST node, made once per checker run (looking a
    function up by a scan of all of them for each probed target made analysis quadratic)."""

    def __init__(self, mir: ModuleIR) -> None:
        funcs = mir.all_functions()
        self.keyed: dict[str, FuncIR] = {f.key: f for f in funcs}
        self.by_node: dict[int, FuncIR] = {}
        for f in self.keyed.values():  # the first function of a node wins, as the scan found it
            self.by_node.setdefault(id(f.node), f)


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


def _store_targets(node: ast.AST) -> list[ast.expr]:
    """What an assignment statement stores into; empty for any other node."""
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        return [node.target]
    return []


def _mutates(body: list[ast.stmt], name: str) -> bool:
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        for t in _store_targets(node):
            for sub in ast.walk(t):
                if isinstance(sub, (ast.Attribute, ast.Subscript)) and root_name(sub) == name:
                    return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in LIST_MUTATORS and root_name(node.func.value) == name:
                return True
    return False


def _mutated_params(defs: dict[str, ast.FunctionDef]) -> dict[str, set[str]]:
    """Each module-level def's parameters changed in place, directly or by handing them (or part of them) to
    a parameter another def changes, to a fixed point: the conventions the migrator writes (`mut` follows the
    call graph), so the probe checks the upgrade that will be written."""

    def params(fn: ast.FunctionDef) -> list[str]:
        return [a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs]

    mutated = {name: {p for p in params(fn) if _mutates(fn.body, p)} for name, fn in defs.items()}
    handed: list[tuple[str, str, str, str]] = []  # (caller, its parameter, callee, callee's parameter)
    for name, fn in defs.items():
        ours = set(params(fn))
        for call in ast.walk(ast.Module(body=fn.body, type_ignores=[])):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in defs):
                continue
            target = defs[call.func.id]
            positional = [a.arg for a in target.args.posonlyargs + target.args.args]
            pairs = [(arg, positional[i]) for i, arg in enumerate(call.args) if i < len(positional)]
            pairs += [(kw.value, kw.arg) for kw in call.keywords if kw.arg is not None]
            for arg, theirs in pairs:
                root = None if isinstance(arg, ast.Starred) else root_name(arg)
                if root is not None and root in ours:
                    handed.append((name, root, call.func.id, theirs))
    spread_through_calls(mutated, handed)
    return mutated


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


def _aliases(stmt: ast.AST, mir: ModuleIR) -> list[tuple[str, tuple[int, int], list[str], bool]]:
    """Names that share a list/struct with others after `stmt`: (name, where, roots it shares with, bound here).

    `x = y`, `x = y[i]`, `x = y.f`, `x = a if c else b` (and pairwise in `x, z = ...`) bind x to a
    borrowed value; `c[i] = x`, `c.f = x` and `c.append(x)` store x's value into c (then x must not change).
    """
    pos = (getattr(stmt, "lineno", 0), getattr(stmt, "col_offset", 0))
    out: list[tuple[str, tuple[int, int], list[str], bool]] = []
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
        pairs = [(target, stmt.value)]
        if isinstance(target, ast.Tuple) and isinstance(stmt.value, ast.Tuple) and len(target.elts) == len(stmt.value.elts):
            pairs = list(zip(target.elts, stmt.value.elts))
        for t, v in pairs:
            roots = _borrowed_roots(v)
            if isinstance(t, ast.Name) and roots and _is_ref(mir.types.get(id(v))):
                out.append((t.id, pos, roots, True))
            elif isinstance(t, (ast.Subscript, ast.Attribute)) and isinstance(v, ast.Name) and _is_ref(mir.types.get(id(v))):
                out.append((v.id, pos, [], False))
    if isinstance(stmt, ast.Call) and isinstance(stmt.func, ast.Attribute) and stmt.func.attr == "append":
        if stmt.args and isinstance(stmt.args[0], ast.Name) and _is_ref(mir.types.get(id(stmt.args[0]))):
            out.append((stmt.args[0].id, pos, [], False))
    return out


def _borrowed_roots(e: ast.expr) -> list[str]:
    """Names whose object (or part of it) `e` evaluates to, in Python; [] for a new value."""
    if isinstance(e, (ast.Name, ast.Subscript, ast.Attribute)):
        root = root_name(e)
        return [root] if root else []
    if isinstance(e, ast.IfExp):
        return _borrowed_roots(e.body) + _borrowed_roots(e.orelse)
    return []


def _changed_after(
    body: list[ast.stmt], name: str, pos: tuple[int, int], mir: ModuleIR, keyed: dict[str, FuncIR]
) -> bool:
    if not name:
        return False
    for stmt in ast.walk(ast.Module(body=body, type_ignores=[])):
        if not isinstance(stmt, ast.stmt) or (stmt.lineno, stmt.col_offset) <= pos:
            continue
        if isinstance(stmt, (ast.For, ast.While, ast.If)):
            continue
        if _changes(stmt, name, mir, keyed):
            return True
    return False


def _changes(stmt: ast.stmt, name: str, mir: ModuleIR, keyed: dict[str, FuncIR]) -> bool:
    """`name` (or part of it) is changed in place: a store, a list mutator, a `mut self` method or a `mut` argument."""
    if _mutates([stmt], name):
        return True
    for node in ast.walk(stmt):
        call = mir.calls.get(id(node)) if isinstance(node, ast.Call) else None
        func = keyed.get(call.target) if call is not None and call.kind in ("fn", "method") else None
        if call is None or func is None:
            continue
        params = func.params
        if call.kind == "method":
            if params[0].convention == "mut" and call.recv is not None and root_name(call.recv) == name:
                return True
            params = params[1:]
        for arg, p in zip(call.args, params):
            if isinstance(arg, ast.expr) and p.convention == "mut" and root_name(arg) == name:
                return True
    return False


def _reshapes(fn: ast.FunctionDef, name: str, mir: ModuleIR, keyed: dict[str, FuncIR]) -> bool:
    """The list `name` itself changes shape or has items replaced (not just their fields changed)."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in LIST_MUTATORS:
            if isinstance(node.func.value, ast.Name) and node.func.value.id == name:
                return True
        for t in _store_targets(node):
            for sub in t.elts if isinstance(t, ast.Tuple) else [t]:  # `name[i] = ...`, not `name[i].f = ...`
                if isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Name) and sub.value.id == name:
                    return True
        call = mir.calls.get(id(node)) if isinstance(node, ast.Call) else None
        func = keyed.get(call.target) if call is not None and call.kind in ("fn", "method") else None
        if call is not None and func is not None:
            params = func.params[1:] if call.kind == "method" else func.params
            for arg, p in zip(call.args, params):
                if isinstance(arg, ast.Name) and arg.id == name and p.convention == "mut":
                    return True
    return False


def _is_ref(ty: Ty | None) -> bool:
    return ty is not None and ty.kind in ("List", "Struct")


def _elem(ty: Ty | None) -> Ty | None:
    return ty.elem if ty is not None and ty.kind == "List" else None


def _shared_fields(cls: ast.ClassDef, mir: ModuleIR) -> list[Diagnostic]:
    """A list or struct field is a value: what was passed in, and an earlier `obj.f` read, stop sharing with it."""
    st = mir.structs.get(cls.name)
    if st is None:
        return []
    out = []
    for fname, fty in st.fields:
        if not _is_ref(fty):
            continue
        what = "list" if fty.kind == "List" else "struct"
        decl = next(
            (s for s in cls.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.target.id == fname),
            cls,
        )
        out.append(_at(
            decl.lineno, decl.col_offset + 1, f"field '{fname}' of {cls.name} holds a {what}; a struct field is a "
            f"value: the {what} given to the constructor is copied and a method that changes the field gives it a new "
            f"{what}, so Python code holding the old one (or an earlier `obj.{fname}`) stops seeing the changes: "
            "keep this a class"
        ))
    return out
