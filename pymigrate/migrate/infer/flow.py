"""Type variables for functions that hand values through: what the body does decides, not the tests.

A function that takes an iterable and gives back its items (``list(islice(iterable, n))``, ``for x in seq:
yield x``), or applies a callable to them (``map(func, seq)``), is written with type variables: ``take(n,
iterable: Iterable[_T]) -> list[_T]``, ``Callable[[_T], _U]``. The tests' run saw ints; the body never
depends on that, so ``Iterable[int]`` would refuse every caller with strings.

mypy decides the data flow. Each parameter the body only iterates takes ``Iterable[_T]`` (or the
``Sequence``/``Collection`` its use needs), a parameter it only compares, hashes, stores or hands on takes
``_T`` (in a function that has such an iterable), and mypy builds the package with those annotations:

1. the arguments a callable parameter is applied to (``f(x)``, ``map(f, seq)``, ``sorted(seq, key=f)``...)
   are typed in that build; the callable takes ``Callable[[their types], _U]``;
2. a second build adds the callables and types every ``return`` and ``yield`` of the body: the return is
   their union, with the iterator classes of ``builtins`` and ``itertools`` written as the ``Iterator``
   people write (``map[_U]`` is ``Iterator[_U]``); a callable's result that reaches no return is
   ``object`` (``key: Callable[[_T], object]``);
3. a function whose body gains a mypy error in that build (``x + 1`` on a ``_T``: the body depends on the
   type) keeps its other evidence. So does one whose type variables reach no return and no callable.

The concrete types come next for verification (mypy_filter.py) to fall back on, and a return naming a
type variable stands or falls with the parameters that bind it (``Choices.unbind_type_vars``).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mypy import build as mypy_build
from mypy.maptype import map_instance_to_supertype
from mypy.nodes import TypeInfo
from mypy.types import Instance, TupleType, Type, UnionType, get_proper_type

from . import generics
from .model import CALLABLE, ELLIPSIS, NONE_T, PARAMS, TUPLE, TypeRef, union
from .package import Function, Module, all_params, module_from_text, own_nodes
from .sample import RICH, only_held
from .static import Span, error_lines, expression_spans, falls_through, run_mypy, to_typeref
from .usage import COLLECTION, ITERABLE, SEQUENCE, Need, element_type, needs

if TYPE_CHECKING:
    from .engine import Choices

ITERATOR = "collections.abc.Iterator"
OBJECT = TypeRef("builtins.object")
_PROTOCOL = {Need.ITERATE: ITERABLE, Need.REITERATE: COLLECTION, Need.INDEX: SEQUENCE}
_PROTOCOLS = {ITERABLE, SEQUENCE, COLLECTION, "collections.abc.Iterator", "collections.abc.Generator"}
_ITERATOR_MODULES = ("builtins.", "itertools.")
# builtins that apply their first argument to the items of their second, and those taking ``key=``
_APPLY_FIRST = {"map", "filter", "filterfalse", "takewhile", "dropwhile"}
_KEYED = {"sorted", "min", "max", "groupby"}
_CONSUMING = {"list", "tuple", "set", "frozenset", "sorted", "iter", "enumerate", "zip", "reversed", "deque",
              "chain", "islice", "tee", "cycle", "groupby", "from_iterable"}
_CONSUMING_ALL = {"zip", "chain"}


@dataclass
class _Trial:
    """One function's generic reading: parameter types with fresh variables, and what they became."""

    module: Module
    func: Function
    params: dict[str, TypeRef] = field(default_factory=dict)
    variables: list[str] = field(default_factory=list)      # full names, in order of the parameters
    held: set[str] = field(default_factory=set)             # parameters read as a bare ``_T``
    callables: dict[str, str] = field(default_factory=dict)  # callable parameter -> its result variable

    nested: dict[str, TypeRef] = field(default_factory=dict)  # seen holding containers: ``Iterable[Iterable[_T]]``

    @property
    def key(self) -> tuple[str, str]:
        return self.module.name, self.func.qualname

    speculative: set[str] = field(default_factory=set)      # read generically on no evidence: tried first

    def retry(self) -> bool:
        """A second reading after the first failed mypy: without the speculative parameters if there are
        any, else parameters seen holding containers as iterables of iterables; False if nothing changes."""
        if self.speculative & set(self.params):     # the likelier fault: what no evidence said is iterable
            for param in self.speculative:
                self.params.pop(param, None)
            self.held -= self.speculative
            self.speculative = set()
            return any(p not in self.held for p in self.params)
        changed = bool(self.nested)
        self.params.update(self.nested)
        self.nested = {}
        return changed


def generalize(modules: Sequence[Module], choices: Choices, target: tuple[int, int]) -> None:
    """Give the functions that hand values through their generic signatures (first candidates)."""
    from .engine import apply, render
    trials = [t for m in modules for t in _trials(m, choices)]
    if not trials:
        return
    base_texts = apply(modules, render(modules, choices, target))
    baseline = error_lines(run_mypy(modules, base_texts, target))

    def build(extra: Choices) -> tuple[mypy_build.BuildResult, dict[str, Module]]:
        texts = apply(modules, render(modules, extra, target))
        current = {m.name: module_from_text(m, texts[m.path]) if m.path in texts else m for m in modules}
        return run_mypy(modules, texts, target), current

    first, current = build(_with(choices, trials))
    failed = _failing(first, baseline, current, modules)
    trials = [t for t in trials if t.key not in failed or t.retry()]    # a second chance
    for trial in trials:
        _callables(trial, first, current[trial.module.name])
    second, current = build(_with(choices, trials))
    failed = _failing(second, baseline, current, modules)
    for trial in trials:
        if trial.key in failed:
            continue
        ret = _returned(trial, second, current[trial.module.name])
        _adopt(trial, ret, choices)


def _trials(module: Module, choices: Choices) -> list[_Trial]:
    """The functions with a parameter whose items the body only hands through, read generically."""
    names = fresh_names(module)
    out = []
    for func in module.functions.values():
        node = func.node
        if func.is_method or node.returns is not None or any(
                not (isinstance(d, ast.Name) and d.id == "staticmethod") for d in node.decorator_list):
            continue
        if any(isinstance(n, (ast.Await, ast.AsyncFor, ast.AsyncWith)) for n in own_nodes(node)):
            continue
        trial = _Trial(module, func)
        defaults = with_defaults(node)
        star = {a.arg for a in (node.args.vararg, node.args.kwarg) if a is not None}
        for arg in all_params(node):
            if arg.annotation is not None or (node.args.kwarg is not None and arg.arg == node.args.kwarg.arg):
                continue
            seen = choices.params.get((module.name, func.qualname, arg.arg))
            protocol = _iterated(func, arg.arg)
            if protocol is not None and (_holds_items(seen) if seen is not None else arg.arg not in defaults):
                variable = TypeRef(_variable(trial, module, names))
                trial.params[arg.arg] = TypeRef(protocol, (variable,))
                if seen is None and not _consumed(func.node, arg.arg):
                    trial.speculative.add(arg.arg)      # handed to a call: mypy says whether it iterates it
                elif seen is None or _holds_items(_item_of(seen)):
                    trial.nested[arg.arg] = TypeRef(protocol, (TypeRef(ITERABLE, (variable,)),))
            elif _applied(func, arg.arg) and arg.arg not in star \
                    and (arg.arg not in defaults or arg.arg in _none_defaults(node)):
                trial.callables[arg.arg] = ""       # typed once the first build has typed its arguments
        if not trial.params:
            continue        # no iterable handed through: a plain value keeps its evidence (six's ``u(s)``)
        for arg in all_params(node):
            if arg.arg in trial.params or arg.arg in trial.callables or arg.arg in defaults | star \
                    or arg.annotation is not None or not only_held(node, arg.arg) or not reads(node, arg.arg):
                continue
            trial.params[arg.arg] = TypeRef(_variable(trial, module, names))
            trial.held.add(arg.arg)
            if not _returned_as_is(node, arg.arg):
                trial.speculative.add(arg.arg)
        for param in trial.callables:
            trial.callables[param] = _variable(trial, module, names)
        out.append(trial)
    return out


def _iterated(func: Function, param: str) -> str | None:
    """The read-only protocol the body needs of a parameter it only iterates (measures, indexes)."""
    need = needs(_Unqualified().visit(copy.deepcopy(func.node)), param)
    if need == Need.CONCRETE or not reads(func.node, param):
        return None
    if any(isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == param
           for n in ast.walk(func.node)):
        return None     # a method called on it: its class matters
    if not any(_iterates(n, param) for n in ast.walk(func.node)):
        return None     # measured or truth-tested only: no items handed anywhere
    return _PROTOCOL.get(need)


class _Unqualified(ast.NodeTransformer):
    """``chain.from_iterable(x)`` read as ``from_iterable(x)``: a function of a module or a class hands its
    argument on like any function does (usage.py takes only calls of names for that)."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                and not node.func.attr[:1].isupper():
            node.func = ast.copy_location(ast.Name(node.func.attr, ast.Load()), node.func)
        return node


def _item_of(t: TypeRef) -> TypeRef | None:
    members = [m for m in t.members() if m != NONE_T]
    return union(m.args[0] if m.name in _PROTOCOLS and m.args else element_type(m) or OBJECT for m in members)


def _holds_items(t: TypeRef | None) -> bool:
    """What was seen for the parameter are containers or iterables (not ``int``, nor a class)."""
    if t is None:
        return False
    members = [m for m in t.members() if m != NONE_T]
    if any(m.name == TUPLE and not (len(m.args) == 2 and m.args[1].name == ELLIPSIS) for m in members):
        return False    # a record (``tuple[int, int]``): its positions mean something, its length too
    return bool(members) and all(m.name in _PROTOCOLS or element_type(m) is not None for m in members)


def _consumed(node: ast.AST, param: str) -> bool:
    """Items are surely taken out of ``param`` (no evidence says it is a container): a ``for``, a
    comprehension, ``yield from``, or a consuming builtin (``list(p)``, ``zip(*p)``)."""
    for n in ast.walk(_Unqualified().visit(copy.deepcopy(node))):
        if isinstance(n, (ast.For, ast.comprehension)) and isinstance(n.iter, ast.Name) and n.iter.id == param:
            return True
        if isinstance(n, ast.YieldFrom) and isinstance(n.value, ast.Name) and n.value.id == param:
            return True
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in _CONSUMING and n.args:
            consumed = n.args if n.func.id in _CONSUMING_ALL else n.args[:1]    # islice(it, n): not n
            if any(isinstance(a, ast.Name) and a.id == param for a in consumed):
                return True
    return False


def _iterates(node: ast.AST, param: str) -> bool:
    """``node`` takes items out of ``param``: a ``for``, a comprehension, ``yield from``, an index, a call
    it is handed to (mypy tells whether that call consumes it)."""
    def is_param(e: ast.AST) -> bool:
        return isinstance(e, ast.Name) and e.id == param
    if isinstance(node, (ast.For, ast.comprehension)):
        return is_param(node.iter)
    if isinstance(node, ast.YieldFrom):
        return is_param(node.value)
    if isinstance(node, ast.Subscript):
        return is_param(node.value) and isinstance(node.ctx, ast.Load)
    if isinstance(node, ast.Call):
        return any(is_param(a) or (isinstance(a, ast.Starred) and is_param(a.value)) for a in node.args)
    return False


def _applied(func: Function, param: str) -> bool:
    """The body calls the parameter (``f(x)``) or hands it to a builtin that applies it to items."""
    for n in ast.walk(func.node):
        if isinstance(n, ast.Call):
            if isinstance(n.func, ast.Name) and n.func.id == param:
                return True
            if _apply_target(n, param) is not None:
                return True
    return False


def _apply_target(call: ast.Call, param: str) -> ast.expr | None:
    """In ``map(param, seq)``, ``sorted(seq, key=param)``, ``groupby(seq, param)``: ``seq``."""
    name = call.func.id if isinstance(call.func, ast.Name) else call.func.attr \
        if isinstance(call.func, ast.Attribute) else ""
    args = call.args
    if name in _APPLY_FIRST and len(args) == 2 and isinstance(args[0], ast.Name) and args[0].id == param:
        return args[1]
    if name in _KEYED and len(args) >= 1:
        keys = [k.value for k in call.keywords if k.arg == "key"]
        if name == "groupby" and len(args) == 2:
            keys.append(args[1])
        if any(isinstance(k, ast.Name) and k.id == param for k in keys) and len(args) == 1 + (name == "groupby"):
            return args[0]
    return None


def _none_defaults(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Parameters whose default is ``None`` (``key=None``: the callable is optional)."""
    positional = node.args.posonlyargs + node.args.args
    pairs = list(zip(positional[len(positional) - len(node.args.defaults):], node.args.defaults))
    pairs += [(a, d) for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults) if d is not None]
    return {a.arg for a, d in pairs if isinstance(d, ast.Constant) and d.value is None}


def _returned_as_is(node: ast.AST, param: str) -> bool:
    """``param`` reaches a ``return`` or ``yield`` value through displays and conditionals only (``return
    x, param``, ``yield param``), not as the argument of a call."""
    parents = {id(c): n for n in ast.walk(node) for c in ast.iter_child_nodes(n)}
    for use in ast.walk(node):
        if not (isinstance(use, ast.Name) and use.id == param):
            continue
        up: ast.AST | None = parents.get(id(use))
        while isinstance(up, (ast.Tuple, ast.List, ast.Set, ast.IfExp, ast.BoolOp, ast.Starred)):
            up = parents.get(id(up))
        if isinstance(up, (ast.Return, ast.Yield)):
            return True
    return False


def _ordering_key(node: ast.AST, param: str) -> bool:
    """``sorted(seq, key=param)``, ``min``, ``max``: the items are ordered by what it gives."""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in _KEYED - {"groupby"}
               and _apply_target(n, param) is not None for n in ast.walk(node))


def _callables(trial: _Trial, result: mypy_build.BuildResult, current: Module) -> None:
    """Type each callable parameter from the arguments the first build gave it; drop those it cannot."""
    func = current.functions.get(trial.func.qualname)
    state = result.graph.get(current.name)
    if func is None or state is None or state.tree is None or not trial.callables:
        trial.callables.clear()
        return
    spans, _ = expression_spans(result, state.tree)
    variables = frozenset(trial.variables)
    iterable = _info(result, "typing", "Iterable")
    for param, variable in list(trial.callables.items()):
        signatures: set[tuple[TypeRef, ...] | None] = set()
        for n in ast.walk(func.node):
            if not isinstance(n, ast.Call):
                continue
            if isinstance(n.func, ast.Name) and n.func.id == param:
                if n.keywords or any(isinstance(a, ast.Starred) for a in n.args):
                    signatures.add(None)
                    continue
                typed = [to_typeref(spans.get(_span(a)), current_prefixes(current), variables=variables)
                         for a in n.args]
                signatures.add(None if any(a is None for a in typed) else tuple(a for a in typed if a is not None))
            else:
                seq = _apply_target(n, param)
                if seq is not None:
                    item = _item(spans.get(_span(seq)), iterable, current, variables)
                    signatures.add(None if item is None else (item,))
            if isinstance(n, ast.Call) and any(isinstance(a, ast.Name) and a.id == param for a in n.args) \
                    and not (isinstance(n.func, ast.Name) and n.func.id == param) and _apply_target(n, param) is None:
                signatures.add(None)    # handed on elsewhere: what it is given there is unknown
        if len(signatures) != 1 or None in signatures:
            del trial.callables[param]
            continue
        given = next(iter(signatures))
        assert given is not None
        gives = RICH if _ordering_key(func.node, param) else TypeRef(variable)
        callable_ = TypeRef(CALLABLE, (TypeRef(PARAMS, given), gives))
        trial.params[param] = union([callable_, NONE_T]) or callable_ if param in _none_defaults(func.node) \
            else callable_


def _returned(trial: _Trial, result: mypy_build.BuildResult, current: Module) -> TypeRef | None:
    """The return the second build gives: the union of returns, ``Iterator`` of the yields."""
    func = current.functions.get(trial.func.qualname)
    state = result.graph.get(current.name)
    if func is None or state is None or state.tree is None:
        return None
    spans, _ = expression_spans(result, state.tree)
    variables = frozenset(trial.variables)
    iterator, iterable = _info(result, "typing", "Iterator"), _info(result, "typing", "Iterable")
    nodes = list(own_nodes(func.node))
    yields = [n for n in nodes if isinstance(n, (ast.Yield, ast.YieldFrom))]
    returns = [n for n in nodes if isinstance(n, ast.Return)]
    if yields:
        if any(r.value is not None for r in returns):
            return None
        items: list[TypeRef | None] = []
        for y in yields:
            if isinstance(y, ast.YieldFrom):
                items.append(_item(spans.get(_span(y.value)), iterable, current, variables))
            else:
                items.append(NONE_T if y.value is None else
                             _written(spans.get(_span(y.value)), iterator, current, variables))
        item = None if any(i is None for i in items) else union(i for i in items if i is not None)
        return None if item is None else TypeRef(ITERATOR, (item,))
    values: list[TypeRef | None] = [NONE_T if r.value is None else
                                    _written(spans.get(_span(r.value)), iterator, current, variables)
                                    for r in returns]
    if not any(r.value is not None for r in returns) and falls_through(func.node):
        values.append(NONE_T)
    if any(v is None for v in values):
        return None
    return union(v for v in values if v is not None)


def _adopt(trial: _Trial, ret: TypeRef | None, choices: Choices) -> None:
    """Make the trial's signature the first candidate of its slots when its variables reach somewhere."""
    returned = set(ret.names()) if ret is not None else set()
    results = set(trial.callables.values())
    flowing = (returned | {n for p, t in trial.params.items() if p in trial.callables for n in t.args[0].names()}) \
        & set(trial.variables)
    if not flowing - results:
        return      # nothing handed through: the tests' types or nothing
    params = dict(trial.params)
    for param, variable in trial.callables.items():
        if variable not in returned:        # its result reaches no return: any result will do
            params[param] = union(TypeRef(CALLABLE, (m.args[0], OBJECT)) if m.name == CALLABLE
                                  and m.args[1] == TypeRef(variable) else m
                                  for m in params[param].members()) or params[param]
    held = [p for p in trial.held if params[p].name not in returned]
    for p in held:
        del params[p]   # a value only held, reaching no return: its evidence says more than a variable
    params, ret = _renumbered(trial, params, ret)
    used = {n for t in params.values() for n in t.names()} | (set(ret.names()) if ret is not None else set())
    mod, qualname = trial.key
    for param, t in params.items():
        key = (mod, qualname, param)
        seen = choices.params.get(key)
        if seen is not None and seen != t:
            choices.fallbacks[key] = [seen, *choices.fallbacks.get(key, [])]
        choices.params[key] = t
    if ret is not None and ret != choices.returns.get((mod, qualname)):
        old = choices.returns.get((mod, qualname))
        choices.return_fallbacks[(mod, qualname)] = ([old] if old is not None and not _generic(old, trial)
                                                     else []) + choices.return_fallbacks.get((mod, qualname), [])
        choices.returns[(mod, qualname)] = ret
    choices.type_vars |= {v for v in trial.variables if v in used}


def _renumbered(trial: _Trial, params: dict[str, TypeRef], ret: TypeRef | None
                ) -> tuple[dict[str, TypeRef], TypeRef | None]:
    """The variables renamed in their order of appearance in the signature (``_T``, ``_T1``...): a
    parameter left to its evidence leaves no gap."""
    order = [p.arg for p in all_params(trial.func.node) if p.arg in params]
    seen: list[str] = []
    for t in [*(params[p] for p in order), *([ret] if ret is not None else [])]:
        seen += [n for n in t.names() if n in trial.variables and n not in seen]
    mapping = dict(zip(seen, trial.variables))

    def rename(t: TypeRef) -> TypeRef:
        return TypeRef(mapping.get(t.name, t.name), tuple(rename(a) for a in t.args))
    return {p: rename(params[p]) for p in order}, None if ret is None else rename(ret)


def _generic(t: TypeRef, trial: _Trial) -> bool:
    return bool(set(t.names()) & set(trial.variables))


def _with(choices: Choices, trials: Iterable[_Trial]) -> Choices:
    """The choices with every trial's parameters in place and its return ``object``, for mypy to type."""
    out = copy.deepcopy(choices)
    for trial in trials:
        for param, t in trial.params.items():
            out.params[(trial.module.name, trial.func.qualname, param)] = t
        out.returns[trial.key] = OBJECT     # no context: an unannotated return would type list(...) list[Any]
        out.return_fallbacks.pop(trial.key, None)
        out.type_vars |= set(trial.variables)
    return out


def _failing(result: mypy_build.BuildResult, baseline: list[str], current: dict[str, Module],
             modules: Sequence[Module]) -> set[tuple[str, str]]:
    """Functions whose body gains an error in the trial build (not one using a trial's ``object``)."""
    from .mypy_filter import _enclosing, new_errors
    by_path = {str(m.path): current[m.name] for m in modules}
    out = set()
    for path, line, msg in new_errors(baseline, error_lines(result)):
        if '"object"' in msg:
            continue    # a caller of a trial, whose return is ``object`` in that build
        module = by_path.get(path)
        qualname = _enclosing(module, line) if module is not None else None
        if module is not None and qualname is not None:
            out.add((module.name, qualname.split(".<locals>")[0]))
    return out


def _written(t: Type | None, iterator: TypeInfo | None, module: Module, variables: frozenset[str]) -> TypeRef | None:
    """A return value's type as people write it: the iterator classes of builtins and itertools (``map``,
    ``islice``, ``chain``...) as ``Iterator[X]``, also inside tuples and unions."""
    p = get_proper_type(t)
    if isinstance(p, TupleType) and p.partial_fallback.type.fullname == "builtins.tuple":
        items = [_written(i, iterator, module, variables) for i in p.items]
        return None if any(i is None for i in items) else TypeRef("builtins.tuple", tuple(i for i in items if i))
    if isinstance(p, UnionType):
        items = [_written(i, iterator, module, variables) for i in p.items]
        return None if any(i is None for i in items) else union(i for i in items if i is not None)
    if isinstance(p, Instance) and iterator is not None and p.type.fullname.startswith(_ITERATOR_MODULES) \
            and p.type.has_base(iterator.fullname) and p.type is not iterator:
        p = map_instance_to_supertype(p, iterator)
    return to_typeref(p, current_prefixes(module), variables=variables)


def _item(t: Type | None, iterable: TypeInfo | None, module: Module, variables: frozenset[str]) -> TypeRef | None:
    """The item type of an iterable's type."""
    p = get_proper_type(t)
    if isinstance(p, TupleType):
        p = p.partial_fallback
    if not isinstance(p, Instance) or iterable is None or not p.type.has_base(iterable.fullname):
        return None
    args = map_instance_to_supertype(p, iterable).args
    return to_typeref(args[0], current_prefixes(module), variables=variables) if args else None


def _info(result: mypy_build.BuildResult, module: str, name: str) -> TypeInfo | None:
    state = result.graph.get(module)
    sym = state.tree.names.get(name) if state is not None and state.tree is not None else None
    return sym.node if sym is not None and isinstance(sym.node, TypeInfo) else None


def current_prefixes(module: Module) -> tuple[str, ...]:
    return (module.name.split(".")[0] + ".",)


def _span(node: ast.expr) -> Span:
    return node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0


def _variable(trial: _Trial, module: Module, names: list[str]) -> str:
    """The next unused variable name of the trial (as a full name)."""
    name = f"{module.name}.{names[len(trial.variables)]}"
    trial.variables.append(name)
    return name


def fresh_names(module: Module) -> list[str]:
    """The module's plain TypeVars, then ``_T``, ``_T1``... that no name of the module takes."""
    declared = generics.TypeVars.of(module).plain
    bound = {n.id for n in ast.walk(module.tree) if isinstance(n, ast.Name)} | {
        a.asname or a.name for n in ast.walk(module.tree) if isinstance(n, (ast.Import, ast.ImportFrom))
        for a in n.names} | {n.name for n in ast.walk(module.tree)
                             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    return declared + [n for n in ("_T", *(f"_T{i}" for i in range(1, 64))) if n not in bound]


def with_defaults(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Parameters with a default: a type variable would not admit it (``x=1`` is no ``_T``)."""
    positional = node.args.posonlyargs + node.args.args
    out = {a.arg for a in positional[len(positional) - len(node.args.defaults):]}
    return out | {a.arg for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults) if d is not None}


def reads(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


__all__ = ["generalize", "fresh_names", "with_defaults", "reads"]
