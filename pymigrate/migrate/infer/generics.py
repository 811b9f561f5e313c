"""Generic signatures derived from function bodies, compositionally, to a fixed point over the package.

A checked getter (``def get(d, kind, key): v = d.get(key); if not isinstance(v, kind): raise ...;
return v``) or a factory (``def make(kind): return kind()``) returns whatever class its caller passes.
Without a type variable its return is the union of every class any caller passes, which matches no call
and makes each caller's use of the result an error. Each function's body is read as a *shape* over
placeholders, one per class parameter ``P`` (an instance of the class passed for ``P``) and one per
converter parameter ``C`` (what ``C`` gives for such an instance):

1. ``return P(...)``, ``return v`` after ``isinstance(v, P)``, ``return P.m(...)`` (a classmethod that
   returns Self): ``P: type[T] -> T``;
2. a value bound from ``g(..., P, ...)``, where ``g`` already has a shape, takes ``g``'s return with
   ``g``'s placeholders replaced by the caller's (``T | None`` narrowed by ``if v is None: raise`` is T;
   ``list[T]``, ``Sequence[T]`` carry over); a loop checking ``isinstance(item, P)`` on every item of a
   ``Sequence`` makes it a ``Sequence[T]``;
3. ``C(v)`` with ``v`` an instance of ``P``: ``C: Callable[[T], T2]`` gives ``T2`` (list displays built
   by ``append`` follow their items);
4. a class parameter used through ``P.m(...)`` takes a type variable bound to a Protocol declaring ``m``;
5. a local annotated with a type naming the module's type variable (``result: list[_T] = []``) is that
   type, once the variable is the one chosen for a class parameter.

Shapes only use the type variables the module declares (plain ones, and ones bound to a Protocol the module
defines); a function whose shape needs more than the module has is left to the other evidence. An accepted
signature also settles what surrounds it: the mapping a getter reads checked values from (its *document*)
takes ``Mapping[K, object]``; a function passed as a converter, and a parameter given the value of a call,
accept the abstract classes named in that call (``dict[str, str]`` for a ``Mapping`` is ``Mapping[str, str]``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pymigrate.control_flow import terminates

from .model import CALLABLE, NONE_T, PARAMS, TUPLE, TypeRef, union
from .package import Function, Module, all_params, base_name, isinstance_call, isinstance_name, none_tested, own_nodes

TYPE = "builtins.type"
CALLABLES = (CALLABLE, "typing.Callable")
MAX_PASSES = 8
_HOLE = "?"         # placeholder names: "?" + parameter
_EMPTY_LIST = TypeRef("builtins.list", (TypeRef("<never>"),))
_BUILTINS = {"list", "dict", "set", "frozenset", "tuple", "str", "bytes", "int", "float", "bool", "object"}
_ABC = {"Sequence", "Mapping", "Iterable", "Iterator", "Collection", "MutableSequence", "MutableMapping", "Set"}
_READ_ONLY = {"collections.abc.Mapping": ("builtins.dict",), "collections.abc.Sequence": ("builtins.list",),
              "collections.abc.Set": ("builtins.set", "builtins.frozenset")}
_ONE_ITEM = {"builtins.list", "builtins.set", "builtins.frozenset", "collections.abc.Sequence",
             "collections.abc.Iterable", "collections.abc.Collection", "collections.abc.MutableSequence",
             "collections.abc.Set", "collections.abc.Iterator"}


@dataclass(frozen=True)
class Shape:
    """A function's generic signature over placeholders ``?param``."""

    classes: tuple[tuple[str, frozenset[str]], ...]     # class parameter, classmethods used through it
    converters: tuple[tuple[str, str], ...]             # converter parameter, class parameter it takes
    ret: TypeRef
    documents: tuple[str, ...] = ()     # mappings whose values are read and checked against a class parameter


@dataclass(frozen=True)
class Signature:
    """A shape with the module's type variables in place of its placeholders."""

    params: tuple[tuple[str, TypeRef], ...]
    ret: TypeRef
    variables: frozenset[str]
    classes: tuple[tuple[str, frozenset[str]], ...]
    documents: tuple[str, ...]


def hole(param: str) -> TypeRef:
    return TypeRef(_HOLE + param)


def _holes(t: TypeRef) -> set[str]:
    return {n[1:] for n in t.names() if n.startswith(_HOLE)}


def _substitute(t: TypeRef, mapping: Mapping[str, TypeRef | None]) -> TypeRef | None:
    """``t`` with each placeholder (or type variable) named in ``mapping`` replaced; None if one maps to None."""
    if t.name in mapping:
        return mapping[t.name]
    args = [_substitute(a, mapping) for a in t.args]
    if any(a is None for a in args):
        return None
    out = TypeRef(t.name, tuple(a for a in args if a is not None))
    return union([out]) if t.name == "|" else out


def _without_none(t: TypeRef | None) -> TypeRef | None:
    if t is None:
        return None
    return union(m for m in t.members() if m != NONE_T) or t


# ---------------------------------------------------------------- the module's type variables


@dataclass
class TypeVars:
    plain: list[str] = field(default_factory=list)                  # X = TypeVar("X")
    bound: list[tuple[str, frozenset[str]]] = field(default_factory=list)  # bound to a Protocol: its methods
    protocols: dict[str, str] = field(default_factory=dict)         # bound variable -> its Protocol class

    @staticmethod
    def of(module: Module) -> TypeVars:
        out = TypeVars()
        for stmt in module.tree.body:
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                    and isinstance(stmt.value, ast.Call) and len(stmt.value.args) == 1):
                continue
            f = stmt.value.func
            if (f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else "") != "TypeVar":
                continue
            name, keywords = stmt.targets[0].id, stmt.value.keywords
            if not keywords:
                out.plain.append(name)
            elif len(keywords) == 1 and keywords[0].arg == "bound":
                b = keywords[0].value
                proto = b.id if isinstance(b, ast.Name) else b.value if isinstance(b, ast.Constant) else None
                cls = module.classes.get(proto) if isinstance(proto, str) else None
                if cls is not None and "Protocol" in map(base_name, cls.bases):
                    methods = frozenset(s.name for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)))
                    out.bound.append((name, methods))
                    out.protocols[name] = cls.name
        return out


# ---------------------------------------------------------------- reading one body


class _Body:
    """One function's body read as abstract values: placeholders, containers of them, None."""

    def __init__(self, func: Function, shapes: Mapping[tuple[str, str], Shape],
                 signatures: Mapping[tuple[str, str], list[str]], callees: Mapping[str, tuple[str, str]],
                 names: Mapping[str, str]) -> None:
        self.func, self.shapes, self.callees, self.names = func, shapes, callees, names
        self.signatures = signatures        # each package function's parameter names, in order
        params = all_params(func.node)
        if func.implicit_first is not None:
            params = params[1:]
        self.order = [a.arg for a in params]
        self.params = set(self.order)
        self.classes: dict[str, set[str]] = {}
        self.converters: dict[str, str] = {}
        self.invalid = False
        self.env: dict[str, TypeRef | None] = {}
        nodes = list(own_nodes(func.node))
        stores = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
        self.params -= stores       # a rebound parameter is not the argument any more
        self.narrowed: dict[str, str] = {}          # name -> class parameter it is checked against
        self.items_narrowed: dict[str, str] = {}    # iterated name -> class parameter every item is checked against
        self.not_none: set[str] = set()
        self.reads: dict[str, str] = {}             # local -> parameter it is read from (``v = d.get(key)``)
        self.documents: set[str] = set()            # parameters passed to a callee's document
        for n in nodes:
            checked = _isinstance_check(n)
            if checked is not None and checked[1] in self.params:
                self.narrowed[checked[0]] = checked[1]
            if isinstance(n, (ast.For, ast.AsyncFor)):
                loop = _loop_item(n)
                if loop is not None:
                    for inner in ast.walk(ast.Module(body=n.body, type_ignores=[])):
                        c = _isinstance_check(inner)
                        if c is not None and c[0] == loop[1] and c[1] in self.params:
                            self.items_narrowed[loop[0]] = c[1]
            if isinstance(n, ast.If) and n.body and terminates(n.body):
                guarded = none_tested(n.test)
                if guarded is not None:
                    self.not_none.add(guarded)
        self._bind(nodes)

    # -- bindings, in source order
    def _bind(self, nodes: list[ast.AST]) -> None:
        events: list[tuple[tuple[int, int], int, ast.AST]] = []
        for n in nodes:
            if isinstance(n, (ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.For, ast.AsyncFor)) or (
                    isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "append"
                    and isinstance(n.func.value, ast.Name) and len(n.args) == 1):
                order = 1 if isinstance(n, ast.Call) else 0
                events.append(((getattr(n, "lineno", 0), getattr(n, "col_offset", 0)), order, n))
        events.sort(key=lambda e: (e[0], e[1]))
        declared: set[str] = set()
        for _, _, n in events:
            if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name):
                declared.add(n.target.id)
                self._set(n.target.id, self._annotation(n.annotation))
            elif isinstance(n, ast.Assign):
                value = self.value(n.value)
                for t in n.targets:
                    if isinstance(t, ast.Name):
                        self._set(t.id, value)
                        self._read_from(t.id, n.value)
            elif isinstance(n, ast.NamedExpr):
                self._set(n.target.id, self.value(n.value))
                self._read_from(n.target.id, n.value)
            elif isinstance(n, (ast.For, ast.AsyncFor)):
                loop = _loop_item(n)
                if loop is not None:
                    self._set(loop[1], _item_of(self.read(loop[0])))
                for name in {x.id for x in ast.walk(n.target) if isinstance(x, ast.Name)} - (
                        {loop[1]} if loop is not None else set()):
                    self._set(name, None)
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name):
                name = n.func.value.id
                if name in declared:
                    continue
                current, item = self.env.get(name), self.value(n.args[0])
                if current is not None and current.name == "builtins.list" and len(current.args) == 1 \
                        and item is not None:
                    joined = union([current.args[0], item])
                    self.env[name] = None if joined is None else TypeRef("builtins.list", (joined,))
                else:
                    self.env[name] = None

    def _read_from(self, name: str, e: ast.expr) -> None:
        """``v = d.get(key)`` or ``v = d[key]``: ``v`` is read from the parameter ``d``."""
        source = e.func.value if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) \
            and e.func.attr == "get" else e.value if isinstance(e, ast.Subscript) else None
        if isinstance(source, ast.Name) and source.id in self.params:
            self.reads[name] = source.id

    def document_params(self) -> set[str]:
        """Parameters whose values are read and checked against a class parameter, here or in a callee."""
        return self.documents | {p for name, p in self.reads.items() if name in self.narrowed}

    def _set(self, name: str, value: TypeRef | None) -> None:
        if name in self.env and self.env[name] != value:
            self.env[name] = None if self.env[name] is None or value is None else union([self.env[name], value])  # type: ignore[list-item]
        else:
            self.env[name] = value

    # -- values
    def read(self, name: str) -> TypeRef | None:
        if name in self.narrowed:
            return self._class_instance(self.narrowed[name])
        value = self.env.get(name)
        if value is not None and name in self.items_narrowed:
            container = _without_none(value)
            item = self._class_instance(self.items_narrowed[name])
            if container is not None and not container.args and container.name in _ONE_ITEM:
                value = union([TypeRef(container.name, (item,)), *(m for m in value.members() if m == NONE_T)])
            elif container is not None and not container.args and container.name == TUPLE:
                value = TypeRef(TUPLE, (item, TypeRef("...")))
        if name in self.not_none:
            value = _without_none(value)
        return value

    def _class_instance(self, param: str, method: str | None = None) -> TypeRef:
        if param in self.converters:
            self.invalid = True
        self.classes.setdefault(param, set()).update([method] if method else [])
        return hole(param)

    def value(self, e: ast.expr) -> TypeRef | None:
        if isinstance(e, ast.Constant) and e.value is None:
            return NONE_T
        if isinstance(e, ast.Name):
            return self.read(e.id)
        if isinstance(e, ast.NamedExpr):
            return self.value(e.value)
        if isinstance(e, ast.List) and not e.elts:
            return _EMPTY_LIST
        if not isinstance(e, ast.Call):
            return None
        f = e.func
        if isinstance(f, ast.Name) and f.id in self.params:
            arg = self.value(e.args[0]) if len(e.args) == 1 and not e.keywords else None
            source = next(iter(_holes(arg)), None) if arg is not None and arg.name.startswith(_HOLE) else None
            if source is not None and source in self.classes and source != f.id:     # a converter (3)
                if f.id in self.classes or self.converters.get(f.id, source) != source:
                    self.invalid = True
                self.converters[f.id] = source
                return hole(f.id)
            return self._class_instance(f.id)                                         # a factory (1)
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in self.params:
            return self._class_instance(f.value.id, f.attr)                           # a classmethod (4)
        if isinstance(f, ast.Name) and f.id in self.callees:
            return self._call(self.shapes.get(self.callees[f.id]), self.callees[f.id], e)
        return None

    def _call(self, shape: Shape | None, target: tuple[str, str], e: ast.Call) -> TypeRef | None:
        """Rule 2: the callee's return with its placeholders replaced by what this call passes."""
        if shape is None or any(isinstance(a, ast.Starred) for a in e.args):
            return None
        callee = self.signatures.get(target, [])
        passed: dict[str, ast.expr] = dict(zip(callee, e.args))
        passed.update({k.arg: k.value for k in e.keywords if k.arg is not None})
        mapping: dict[str, TypeRef | None] = {}
        for q, methods in shape.classes:
            a = passed.get(q)
            if isinstance(a, ast.Name) and a.id in self.params:
                for m in methods or [None]:
                    mapping[_HOLE + q] = self._class_instance(a.id, m)
            else:
                mapping[_HOLE + q] = self._concrete(a)
        for q in shape.documents:
            a = passed.get(q)
            if isinstance(a, ast.Name) and a.id in self.params:
                self.documents.add(a.id)
        for c, q in shape.converters:
            a = passed.get(c)
            source = mapping.get(_HOLE + q)
            if isinstance(a, ast.Name) and a.id in self.params and source is not None and source.name.startswith(_HOLE):
                if a.id in self.classes or self.converters.get(a.id, source.name[1:]) != source.name[1:]:
                    self.invalid = True
                self.converters[a.id] = source.name[1:]
                mapping[_HOLE + c] = hole(a.id)
            else:
                mapping[_HOLE + c] = None
        return _substitute(shape.ret, mapping)

    def _concrete(self, e: ast.expr | None) -> TypeRef | None:
        """The class a caller passes by name, as an instance type without arguments (``Sequence``)."""
        if not isinstance(e, ast.Name):
            return None
        return TypeRef(self.names[e.id]) if e.id in self.names else None

    def _annotation(self, e: ast.expr) -> TypeRef | None:
        """Rule 5: a local's annotation, with the module's type variables by their qualified names."""
        if isinstance(e, ast.Constant) and e.value is None:
            return NONE_T
        if isinstance(e, ast.Name):
            return TypeRef(self.names[e.id]) if e.id in self.names else None
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.BitOr):
            parts = [self._annotation(e.left), self._annotation(e.right)]
            return None if None in parts else union(p for p in parts if p is not None)
        if isinstance(e, ast.Subscript) and isinstance(e.value, ast.Name) and e.value.id in self.names:
            items = e.slice.elts if isinstance(e.slice, ast.Tuple) else [e.slice]
            args = [self._annotation(i) for i in items]
            if any(a is None for a in args):
                return None
            return TypeRef(self.names[e.value.id], tuple(a for a in args if a is not None))
        return None

    def returns(self) -> TypeRef | None:
        values: list[TypeRef] = []
        for n in own_nodes(self.func.node):
            if isinstance(n, (ast.Yield, ast.YieldFrom)):
                return None
            if isinstance(n, ast.Return):
                v = NONE_T if n.value is None else self.value(n.value)
                if v is None:
                    return None
                values.append(v)
        if not terminates(self.func.node.body):
            values.append(NONE_T)
        return union(values)


def _isinstance_check(n: ast.AST) -> tuple[str, str] | None:
    """``(name, class name)`` for ``isinstance(name, C)``."""
    call, name = isinstance_call(n), isinstance_name(n)
    if call is not None and name is not None and isinstance(call[1], ast.Name):
        return name, call[1].id
    return None


def _loop_item(n: ast.For | ast.AsyncFor) -> tuple[str, str] | None:
    """``(iterated name, item name)`` for ``for item in xs`` and ``for i, item in enumerate(xs)``."""
    it, target = n.iter, n.target
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "enumerate" and len(it.args) == 1 \
            and isinstance(target, ast.Tuple) and len(target.elts) == 2:
        it, target = it.args[0], target.elts[1]
    if isinstance(it, ast.Name) and isinstance(target, ast.Name):
        return it.id, target.id
    return None


def _item_of(t: TypeRef | None) -> TypeRef | None:
    t = _without_none(t)
    if t is None or t.name not in _ONE_ITEM | {TUPLE} or not t.args:
        return None
    return t.args[0]


# ---------------------------------------------------------------- the package


class Package:
    """Shapes of every function of the package, to a fixed point: a callee's shape feeds its callers."""

    def __init__(self, modules: Sequence[Module]) -> None:
        self.modules = {m.name: m for m in modules}
        self.type_vars = {m.name: TypeVars.of(m) for m in modules}
        self.names = {m.name: _names(m, self.modules) for m in modules}
        self.callees = {m.name: _callees(m, self.modules) for m in modules}
        self.params = {(m.name, q): [a.arg for a in all_params(f.node)] for m in modules
                       for q, f in m.functions.items() if "<locals>" not in q}
        self.shapes: dict[tuple[str, str], Shape] = {}
        for _ in range(MAX_PASSES):
            changed = False
            for m in modules:
                for q, f in m.functions.items():
                    shape = self._shape(m, f)
                    if shape != self.shapes.get((m.name, q)):
                        changed = True
                        if shape is None:
                            del self.shapes[(m.name, q)]
                        else:
                            self.shapes[(m.name, q)] = shape
            if not changed:
                break

    def _shape(self, module: Module, func: Function) -> Shape | None:
        body = _Body(func, self.shapes, self.params, self.callees[module.name], self.names[module.name])
        ret = body.returns()
        if ret is None or body.invalid:
            return None
        tv = self.type_vars[module.name]
        fixed = [v for v in tv.plain + [b for b, _ in tv.bound] if f"{module.name}.{v}" in set(ret.names())]
        used = _holes(ret) | {body.converters[c] for c in _holes(ret) if c in body.converters}
        classes = [p for p in body.order if p in body.classes and (p in used or fixed)]
        converters = [c for c in body.order if c in body.converters and c in _holes(ret)]
        if not classes:
            return None
        assignment = _assign(tv, [(p, frozenset(body.classes[p])) for p in classes], converters,
                             [f"{module.name}.{v}" for v in fixed], module.name)
        if assignment is None:
            return None
        back = {v: hole(p) for p, v in assignment.items()}
        ret = _substitute(ret, back)
        if ret is None or any(f"{module.name}.{v}" in set(ret.names()) for v in fixed):
            return None
        if not (_holes(ret) & {*classes, *converters}):
            return None
        classes = [p for p in classes if p in _holes(ret) or any(body.converters[c] == p for c in converters)]
        documents = tuple(p for p in body.order if p in body.document_params() - {*classes, *converters})
        return Shape(tuple((p, frozenset(body.classes[p])) for p in classes),
                     tuple((c, body.converters[c]) for c in converters), ret, documents)

    def signature(self, module: Module, func: Function) -> Signature | None:
        """The shape of ``func`` with the module's type variables (None when it has no shape)."""
        shape = self.shapes.get((module.name, func.qualname))
        if shape is None:
            return None
        tv = self.type_vars[module.name]
        assignment = _assign(tv, list(shape.classes), [c for c, _ in shape.converters], [], module.name)
        if assignment is None:
            return None
        variables = {p: TypeRef(v) for p, v in assignment.items()}
        params = [(p, TypeRef(TYPE, (variables[p],))) for p, _ in shape.classes]
        # written as the module already names it (``from typing import Callable`` is common)
        callable_ = CALLABLE if self.names[module.name].get("Callable") != "typing.Callable" else "typing.Callable"
        params += [(c, TypeRef(callable_, (TypeRef(PARAMS, (variables[q],)), variables[c])))
                   for c, q in shape.converters]
        ret = _substitute(shape.ret, {_HOLE + p: t for p, t in variables.items()})
        if ret is None:
            return None
        return Signature(tuple(params), ret, frozenset(assignment.values()), shape.classes, shape.documents)


    def converter_inputs(self, accepted: set[tuple[str, str]]) -> list[tuple[tuple[str, str], str, str]]:
        """``(function, its first parameter, class)`` for each package function passed as a converter to an
        accepted generic signature along with a class named at the converter's input (``_get_as(d,
        Mapping, _validate, key)``): the function is called with instances of that class."""
        out = []
        for name, module in self.modules.items():
            callees = self.callees[name]
            for node in ast.walk(module.tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in callees):
                    continue
                target = callees[node.func.id]
                shape = self.shapes.get(target)
                if shape is None or target not in accepted:
                    continue
                passed = dict(zip(self.params.get(target, []), node.args))
                passed.update({k.arg: k.value for k in node.keywords if k.arg is not None})
                for c, q in shape.converters:
                    fn, cls = passed.get(c), passed.get(q)
                    if not (isinstance(fn, ast.Name) and fn.id in callees and isinstance(cls, ast.Name)
                            and cls.id in self.names[name]):
                        continue
                    converter = callees[fn.id]
                    params = self.params.get(converter, [])
                    if params:
                        out.append((converter, params[0], self.names[name][cls.id]))
        return out


    def generic_sinks(self, accepted: set[tuple[str, str]]) -> list[tuple[tuple[str, str, str], TypeRef]]:
        """``(parameter, type)`` for each parameter of a package function or class given the value of a call
        to an accepted generic signature with classes named for its class parameters (``Package(tool=_get(d,
        Mapping, "tool"))``): the parameter receives what the shape makes of those classes."""
        out = []
        for name, module in self.modules.items():
            for func in module.functions.values():
                for node in own_nodes(func.node):
                    if not isinstance(node, ast.Call):
                        continue
                    receiver = self._receiver(module, func, node.func)
                    if receiver is None:
                        continue
                    params = self.params.get(receiver, [])
                    if receiver[1].endswith(".__init__"):
                        params = params[1:]
                    given = [*zip(params, node.args), *((k.arg, k.value) for k in node.keywords if k.arg)]
                    for param, value in given:
                        wanted = self._instantiated(name, value, accepted)
                        if wanted is not None and not any(isinstance(a, ast.Starred) for a in node.args):
                            out.append(((receiver[0], receiver[1], param), wanted))
        return out

    def _receiver(self, module: Module, func: Function, f: ast.expr) -> tuple[str, str] | None:
        """The package function or ``__init__`` a call goes to, by name (``cls`` in a classmethod too)."""
        if not isinstance(f, ast.Name):
            return None
        callees = self.callees[module.name]
        if f.id in callees:
            return callees[f.id]
        if f.id == func.implicit_first and func.class_name is not None and "classmethod" in {
                d.id for d in func.node.decorator_list if isinstance(d, ast.Name)}:
            full = f"{module.name}.{func.class_name}"
        else:
            full = self.names[module.name].get(f.id, "")
        owner = next((m for m in sorted(self.modules, key=len, reverse=True) if full.startswith(m + ".")), None)
        if owner is None:
            return None
        init = f"{full[len(owner) + 1:]}.__init__"
        return (owner, init) if init in self.modules[owner].functions else None

    def _instantiated(self, module: str, value: ast.expr, accepted: set[tuple[str, str]]) -> TypeRef | None:
        """What a call to an accepted generic returns for the classes it is given by name."""
        if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                and value.func.id in self.callees[module]):
            return None
        target = self.callees[module][value.func.id]
        shape = self.shapes.get(target)
        if shape is None or target not in accepted or shape.converters:
            return None
        passed = dict(zip(self.params.get(target, []), value.args))
        passed.update({k.arg: k.value for k in value.keywords if k.arg is not None})
        mapping: dict[str, TypeRef | None] = {}
        for q, _ in shape.classes:
            a = passed.get(q)
            full = self.names[module].get(a.id) if isinstance(a, ast.Name) else None
            mapping[_HOLE + q] = None if full is None or full not in _READ_ONLY else TypeRef(full)
        return _substitute(shape.ret, mapping)


def _assign(tv: TypeVars, classes: Sequence[tuple[str, frozenset[str]]], converters: Sequence[str],
            preferred: Sequence[str], module: str) -> dict[str, str] | None:
    """A type variable for each class parameter (bound to a Protocol declaring the classmethods it uses
    through the parameter, else plain) and for each converter's result (plain); None when the module
    declares too few."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for p, methods in classes:
        if methods:
            options = [f"{module}.{v}" for v, declared in tv.bound if methods <= declared]
        else:
            options = [f"{module}.{v}" for v in tv.plain]
        options = [v for v in options if v not in taken]
        options.sort(key=lambda v: v not in preferred)
        if not options:
            return None
        out[p] = options[0]
        taken.add(options[0])
    for c in converters:
        options = [f"{module}.{v}" for v in tv.plain if f"{module}.{v}" not in taken]
        if not options:
            return None
        out[c] = options[0]
        taken.add(options[0])
    return out


def _names(module: Module, modules: Mapping[str, Module]) -> dict[str, str]:
    """What the module's top-level names stand for, fully qualified: builtins, imports, its classes and
    type variables."""
    from .syntax import FileContext
    out = {b: f"builtins.{b}" for b in _BUILTINS}
    for name, binding in FileContext.of(module, frozenset(modules), (3, 11)).bindings.items():
        full = binding.fullname
        if full.startswith("typing.") and full[7:] in _ABC:
            full = "collections.abc." + full[7:]
        out[name] = full
    for name in module.classes:
        if "." not in name:
            out[name] = f"{module.name}.{name}"
    tv = TypeVars.of(module)
    for v in [*tv.plain, *(b for b, _ in tv.bound)]:
        out[v] = f"{module.name}.{v}"
    return out


def _callees(module: Module, modules: Mapping[str, Module]) -> dict[str, tuple[str, str]]:
    """Names the module calls package functions by: its own module-level functions and those it imports."""
    out = {q: (module.name, q) for q, f in module.functions.items() if f.class_name is None and "." not in q}
    for name, full in _names(module, modules).items():
        owner, _, short = full.rpartition(".")
        target = modules.get(owner)
        if target is not None and short in target.functions and name not in out:
            out[name] = (owner, short)
    return out


def accepts(signature: Signature, func: Function, passed: Mapping[str, TypeRef | None],
            returns_self: Callable[[str, str], bool]) -> bool:
    """The evidence fits the signature: only classes passed to a class parameter (each with the
    classmethods used through it returning Self; a parameter nothing is known of, when it needs none), and
    nothing but classes and callables to a converter. The slots it writes have no annotation yet."""
    annotated = {a.arg for a in all_params(func.node) if a.annotation is not None}
    methods = dict(signature.classes)
    for param, t in signature.params:
        seen = passed.get(param)
        if param in annotated:
            return False
        if t.name == TYPE:
            if seen is None:
                if methods.get(param):
                    return False
                continue
            if any(c.name != TYPE or len(c.args) != 1 for c in seen.members()):
                return False
            if any(not returns_self(cls.name, m) for c in seen.members() for cls in c.args[0].members()
                   for m in methods.get(param, ())):
                return False
        elif seen is not None and any(c.name not in (TYPE, *CALLABLES) for c in seen.members()):
            return False
    return True


def document_type(seen: TypeRef | None) -> TypeRef | None:
    """A getter's document read for values of any class its caller asks for: ``Mapping[K, object]`` (each
    value is checked at run time, so every mapping with keys ``K`` is accepted), when the values seen
    came in mappings keyed by ``K``."""
    if seen is None:
        return None
    maps = [m for m in seen.members() if m != NONE_T]
    if not maps or any(m.name not in ("builtins.dict", "collections.abc.Mapping") or len(m.args) != 2 for m in maps):
        return None
    keys = {m.args[0] for m in maps}
    if len(keys) != 1:
        return None
    document = TypeRef("collections.abc.Mapping", (keys.pop(), TypeRef("builtins.object")))
    return union([document, *(m for m in seen.members() if m == NONE_T)])


def accepting(seen: TypeRef | None, wanted: TypeRef) -> TypeRef | None:
    """``seen`` made to accept ``wanted``, whose abstract classes stand for instances of any items: each
    concrete container there becomes the read-only protocol, keeping its items (``dict[str, str]`` for a
    ``Mapping`` is ``Mapping[str, str]``; ``list[dict[str, str]]`` for a ``Sequence[Mapping]`` is
    ``Sequence[Mapping[str, str]]``), with None when ``wanted`` can be None; None when nothing changes."""
    core = _without_none(wanted)
    if seen is None or core is None:
        return None
    members = [_accept(m, core) for m in seen.members()]
    members += [NONE_T] if NONE_T in wanted.members() and NONE_T not in members else []   # None given too
    return union(members) if members != list(seen.members()) else None


def _accept(seen: TypeRef, wanted: TypeRef) -> TypeRef:
    concrete = _READ_ONLY.get(wanted.name, ())
    if seen.name != wanted.name and seen.name not in concrete or not seen.args:
        return seen
    args = seen.args
    if len(wanted.args) == len(args):
        args = tuple(_accept(a, w) for a, w in zip(args, wanted.args))
    return TypeRef(wanted.name, args)


def protocol_stubs(module: Module, signature: Signature) -> list[str]:
    """The unannotated methods of the Protocols bounding the signature's type variables that its class
    parameters are used through: every class passed has them returning Self (``accepts``), so the
    Protocol's own stub does too (``def _from_dict(cls, d) -> Self: ...``)."""
    protocols = TypeVars.of(module).protocols
    types = dict(signature.params)
    out = []
    for param, methods in signature.classes:
        variable = types[param].args[0].name.rpartition(".")[2] if types[param].args else ""
        proto = protocols.get(variable)
        for m in sorted(methods) if proto is not None else ():
            stub = module.functions.get(f"{proto}.{m}")
            if stub is not None and stub.node.returns is None:
                out.append(stub.qualname)
    return out
