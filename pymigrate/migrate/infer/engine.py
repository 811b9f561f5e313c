"""infer_package: static rounds to a fixed point, traced evidence, one merge, then verification."""

from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from mypy.errors import CompileError

from pymigrate.migrate.annotate import annotate_module

from . import generics, merge, sample
from .abstract import fill_from_implementations
from .api import FileTypes, FunctionTypes, InferenceError, PackageTypes
from .flow import fresh_names, generalize, reads, with_defaults
from .model import NONE_T, Facts, FunctionEvidence, TypeRef, union
from .package import (
    Function,
    Module,
    all_params,
    declared_self,
    is_placeholder,
    load_modules,
    module_from_text,
    own_nodes,
)
from .project import depends_on, python_version_of
from .static import SELF, StaticCollector, find_aliases, run_mypy
from .syntax import FileContext
from .usage import (
    ITERABLE,
    checks_its_type_first,
    loosened,
    only_passed_on,
    only_sequences,
    refuses_others,
    spoken,
    tests_for_none,
    widen,
)

MAX_ROUNDS = 4
OBJECT = TypeRef("builtins.object")


@dataclass
class Choices:
    """The chosen type of every slot that has none in the source."""

    params: dict[tuple[str, str, str], TypeRef] = field(default_factory=dict)      # (module, qualname, param)
    returns: dict[tuple[str, str], TypeRef] = field(default_factory=dict)          # (module, qualname)
    attributes: dict[tuple[str, str], TypeRef] = field(default_factory=dict)       # (module, "C.attr")
    fallbacks: dict[tuple[str, str, str], list[TypeRef]] = field(default_factory=dict)  # next params to try
    return_fallbacks: dict[tuple[str, str], list[TypeRef]] = field(default_factory=dict)
    type_vars: set[str] = field(default_factory=set)     # the package's TypeVars that generic signatures use

    def retreat(self, key: tuple[str, str, str]) -> None:
        """Replace a parameter's type by its next candidate, or drop it."""
        rest = self.fallbacks.get(key)
        if rest:
            self.params[key] = rest.pop(0)
        else:
            self.params.pop(key, None)

    def retreat_return(self, key: tuple[str, str]) -> None:
        """Replace a return's type by its next candidate, or drop it."""
        rest = self.return_fallbacks.get(key)
        if rest:
            self.returns[key] = rest.pop(0)
        else:
            self.returns.pop(key, None)

    def unbind_type_vars(self) -> None:
        """A return naming a type variable no parameter of its function names is an error (mypy: "should
        receive at least one argument containing the same TypeVar"): a generic pair stands or falls together."""
        if not self.type_vars:
            return
        # a converter ``Callable[[_T], _T2]`` whose input no other parameter binds cannot be called
        for key, t in list(self.params.items()):
            inputs = self.type_vars.intersection(n for m in t.members() if m.name in generics.CALLABLES and m.args
                                                 for n in m.args[0].names())
            others = {n for k, p in self.params.items() if k[:2] == key[:2] and k != key for n in p.names()}
            if not inputs <= others:
                self.retreat(key)
        for (mod, qualname), t in list(self.returns.items()):
            used = self.type_vars.intersection(t.names())
            if not used:
                continue
            bound = {n for (m, q, _), p in self.params.items() if m == mod and q == qualname for n in p.names()}
            while used and not used <= bound:     # a concrete fallback, or nothing
                self.retreat_return((mod, qualname))
                t = self.returns.get((mod, qualname), TypeRef("builtins.object"))
                used = self.type_vars.intersection(t.names())

    def size(self) -> int:
        return len(self.params) + len(self.returns) + len(self.attributes)


def decide(modules: Sequence[Module], facts: Facts) -> Choices:
    choices = Choices()
    sampled: list[tuple[Module, str, str, TypeRef]] = []
    prefixes = tuple({m.name.split(".")[0] + "." for m in modules})
    aliases = {name: t for module in modules for t, name in module.aliases.items()}
    for module in modules:
        for qualname, func in module.functions.items():
            ff = facts.functions.get((module.name, qualname))
            if ff is None:
                continue
            for i, arg in enumerate(all_params(func.node)):
                if arg.annotation is not None or (i == 0 and arg.arg == func.implicit_first):
                    continue
                evidence = ff.params.get(arg.arg)
                candidates = merge.param_candidates(evidence) if evidence else []
                if candidates and not {"override", "declared"} & set(evidence or {}):
                    wide = widen(candidates[0], func.node, arg.arg)
                    if wide is not None:
                        if only_sequences(candidates[0]):
                            wide = spoken(wide, facts.declared_protocols, prefixes)
                        candidates.insert(0, wide)
                    if checks_its_type_first(func.node, arg.arg) and refuses_others(func.node, arg.arg) \
                            and not _is_operator(func.node.name):
                        candidates.insert(0, OBJECT)    # verification falls back if the body needs more
                    loose = loosened(candidates[0])
                    if loose is not None and loose not in candidates:
                        candidates.insert(1, loose)     # next, when callers' narrower containers are refused
                    wide = _sampled_widest(module.name, qualname, func.node, arg.arg, evidence or {}, candidates[0])
                    if wide is not None:
                        candidates.insert(0, wide)      # the tests' classes are a sample of the API's
                        sampled.append((module, qualname, arg.arg, wide))
                if not candidates and not evidence and not is_placeholder(func.node) \
                        and not reads(func.node, arg.arg):
                    candidates = [OBJECT]       # never read (``*args`` of a __new__ that refuses): any object
                candidates = list(dict.fromkeys(candidates))     # each once: falling back never cycles
                if candidates:
                    choices.params[(module.name, qualname, arg.arg)] = candidates[0]
                    choices.fallbacks[(module.name, qualname, arg.arg)] = candidates[1:]
            if func.node.returns is None:
                returns = merge.return_candidates(ff, aliases)
                if returns:
                    choices.returns[(module.name, qualname)] = returns[0]
                    choices.return_fallbacks[(module.name, qualname)] = returns[1:]
    _make_generic(modules, choices)
    _pass_through(modules, choices)
    for (mod, attr), evidence in facts.attributes.items():
        t = merge.attribute_type(evidence)
        if t is not None:
            choices.attributes[(mod, attr)] = t
    sample.widen_holders(sampled, choices.attributes)
    fill_from_implementations(modules, choices)
    _setters_take_the_property_type(modules, choices)
    _handed_on(modules, facts, choices)
    return choices


def _sampled_widest(module: str, qualname: str, node: ast.FunctionDef | ast.AsyncFunctionDef, param: str,
                    evidence: dict[str, list[TypeRef]], seen: TypeRef) -> TypeRef | None:
    """The widest type for a public parameter only the tests' run gave evidence for (sample.py)."""
    star = {a.arg for a in (node.args.vararg, node.args.kwarg) if a is not None}
    if param in star or not (sample.is_public(module, qualname) and sample.only_sampled(evidence)):
        return None     # the body sees ``*args`` as a tuple, its annotation names the items
    wide = sample.widest(node, param)
    if wide is None:
        return None
    return union([wide, NONE_T]) if NONE_T in seen.members() else wide


def _pass_through(modules: Sequence[Module], choices: Choices) -> None:
    """A function whose every return gives back one parameter unchanged (a class decorator that registers
    what it decorates, an identity), with no evidence for it, is written with a type variable: ``klass: _T
    -> _T``. Evidence wins: six's stub writes ``u(s: str) -> str``, not ``_T``, for ``def u(s): return s``
    (taking the variable over traced classes cost six 2.4 points exact). The module's first plain TypeVar,
    else a new ``_T``."""
    for module in modules:
        variable: str | None = None
        for qualname, func in module.functions.items():
            param = _returned_param(func)
            key = (module.name, qualname, param or "")
            if param is None or func.node.returns is not None or key in choices.params or any(
                    a.arg == param and a.annotation is not None for a in all_params(func.node)):
                continue        # what callers or the tests pass is what such a function is for (six's ``u``)
            variable = variable or _type_var_name(module)
            t = TypeRef(f"{module.name}.{variable}")
            choices.params[key] = t
            choices.returns[(module.name, qualname)] = t
            choices.return_fallbacks.pop((module.name, qualname), None)    # stands or falls with the parameter
            choices.type_vars.add(t.name)


def _returned_param(func: Function) -> str | None:
    """The parameter every ``return`` of the body gives back, the last statement being one, which the body
    otherwise only compares, stores or hands on; None if any."""
    node = func.node
    if not node.body or not isinstance(node.body[-1], ast.Return):
        return None
    own = list(own_nodes(node))
    if any(isinstance(n, (ast.Yield, ast.YieldFrom, ast.Await)) for n in own):
        return None
    returned = {r.value.id if isinstance(r.value, ast.Name) else None for r in own if isinstance(r, ast.Return)}
    star = {a.arg for a in (node.args.vararg, node.args.kwarg) if a is not None}
    param = returned.pop() if len(returned) == 1 else None
    names = {a.arg for a in all_params(node)} - star - {func.implicit_first} - with_defaults(node)
    if param is None or param not in names or any(
            isinstance(n, ast.Name) and n.id == param and not isinstance(n.ctx, ast.Load) for n in ast.walk(node)):
        return None
    return param if sample.only_held(node, param) else None     # attributes, arithmetic: not any value


def _type_var_name(module: Module) -> str:
    """The module's first plain TypeVar, else ``_T`` (``_T1``... when the name is taken)."""
    return fresh_names(module)[0]


def _handed_on(modules: Sequence[Module], facts: Facts, choices: Choices) -> None:
    """A parameter a function only hands on to other package functions, with no type of its own or only
    the ``Iterable`` that passing it on says, takes their parameters' type first (``Sequence[int]`` when
    the callee indexes it), with ``None`` when it tests for None before handing it on."""
    by_name = {m.name: m for m in modules}
    for _ in range(MAX_ROUNDS):         # chains: f hands to g, which hands to h
        changed = False
        for (mod, qualname), ff in facts.functions.items():
            func = by_name[mod].functions.get(qualname) if mod in by_name else None
            for param, targets in ff.passes.items():
                key = (mod, qualname, param)
                if func is None or not only_passed_on(func.node, param) \
                        or any(a.arg == param and a.annotation is not None for a in all_params(func.node)):
                    continue
                # the callees' types, their None aside (this function's own None tests and default decide)
                given = [choices.params.get(t) for t in targets]
                types = {_without_none(g) for g in given}
                t = types.pop() if len(types) == 1 else None
                if t is None or t == OBJECT or choices.type_vars.intersection(t.names()):
                    continue
                current = choices.params.get(key)
                if current is not None and any(m.name != ITERABLE for m in current.members() if m != NONE_T):
                    continue        # a concrete type of its own: the author's, most likely
                callees_take_none = all(g is not None and NONE_T in g.members() for g in given)
                if tests_for_none(func.node, param) or (NONE_T in current.members() if current is not None
                                                        else callees_take_none):
                    t = union([t, NONE_T]) or t
                if t == current:
                    continue
                if current is not None:
                    choices.fallbacks[key] = [current, *[f for f in choices.fallbacks.get(key, []) if f != t]]
                choices.params[key] = t
                changed = True
        if not changed:
            return


def _without_none(t: TypeRef | None) -> TypeRef | None:
    return None if t is None else union(m for m in t.members() if m != NONE_T)


def _setters_take_the_property_type(modules: Sequence[Module], choices: Choices) -> None:
    """``@x.setter def x(self, value)``: ``value`` is first the type the getter returns (what the values
    passed in a run say comes next, for verification to fall back on)."""
    for module in modules:
        for qualname, func in module.functions.items():
            if not qualname.endswith("@setter"):
                continue
            getter = choices.returns.get((module.name, qualname.rpartition("@")[0]))
            params = all_params(func.node)[1:]
            if getter is None or len(params) != 1 or params[0].annotation is not None:
                continue
            key = (module.name, qualname, params[0].arg)
            seen = choices.params.get(key)
            if seen is not None and seen != getter:
                choices.fallbacks[key] = [seen, *choices.fallbacks.get(key, [])]
            choices.params[key] = getter


def _is_operator(name: str) -> bool:
    """``__lt__``, ``__and__``...: ``other`` is the class even when other objects get NotImplemented."""
    return name.startswith("__") and name.endswith("__") and name not in ("__setstate__", "__init__", "__new__")


def _make_generic(modules: Sequence[Module], choices: Choices) -> None:
    """Generic signatures (generics.py) for the functions whose evidence fits them; what the evidence
    said comes next, for verification to fall back on."""
    package = generics.Package(modules)
    by_name = {m.name: m for m in modules}

    def returns_self(cls: str, method: str) -> bool:
        owner = next((m for m in sorted(by_name, key=len, reverse=True) if cls.startswith(m + ".")), None)
        func = by_name[owner].functions.get(f"{cls[len(owner) + 1:]}.{method}") if owner is not None else None
        if owner is None or func is None:
            return False
        return declared_self(func.node.returns) or choices.returns.get((owner, func.qualname)) == SELF

    accepted: set[tuple[str, str]] = set()
    for module in modules:
        for qualname, func in module.functions.items():
            signature = package.signature(module, func)
            if signature is None or func.node.returns is not None:
                continue
            passed = {p: choices.params.get((module.name, qualname, p)) for p, _ in signature.params}
            if not generics.accepts(signature, func, passed, returns_self):
                continue
            for param, t in signature.params:
                key = (module.name, qualname, param)
                if key in choices.params:
                    choices.fallbacks[key] = [choices.params[key], *choices.fallbacks.get(key, [])]
                choices.params[key] = t
            choices.returns[(module.name, qualname)] = signature.ret
            choices.return_fallbacks.pop((module.name, qualname), None)     # stands or falls with its parameters
            choices.type_vars |= signature.variables
            accepted.add((module.name, qualname))
            for stub in generics.protocol_stubs(module, signature):
                choices.returns[(module.name, stub)] = SELF
            for param in signature.documents:
                key = (module.name, qualname, param)
                document = generics.document_type(choices.params.get(key))
                if document is not None and document != choices.params[key]:
                    choices.fallbacks[key] = [choices.params[key], *choices.fallbacks.get(key, [])]
                    choices.params[key] = document
    # what a generic call gives, for the classes named in it, must be accepted where it goes: by a function
    # passed as its converter, by the parameter its value is passed to
    sinks = [((mod, qualname, param), TypeRef(cls))
             for (mod, qualname), param, cls in package.converter_inputs(accepted)]
    for key, wanted in sinks + package.generic_sinks(accepted):
        wider = generics.accepting(choices.params.get(key), wanted)
        if wider is not None:
            choices.fallbacks[key] = [choices.params[key], *choices.fallbacks.get(key, [])]
            choices.params[key] = wider


def render(modules: Sequence[Module], choices: Choices, target: tuple[int, int],
           extensions_at_run_time: bool = False) -> dict[Path, FileTypes]:
    """Annotation texts the target Python can evaluate (``extensions_at_run_time``: the package depends on
    typing_extensions, so names newer than the target are imported from it at run time)."""
    package = frozenset(m.name for m in modules)
    out: dict[Path, FileTypes] = {}
    for module in modules:
        ctx = FileContext.of(module, package, target, extensions_at_run_time)
        ctx.type_vars = frozenset(v.rpartition(".")[2] for v in choices.type_vars if v.rpartition(".")[0] == module.name)
        ft = FileTypes()
        for (mod, qualname, param), t in choices.params.items():
            if mod != module.name:
                continue
            func = module.functions[qualname]
            text = ctx.render(t, func.node.lineno, func.class_name)
            if text is not None:
                ft.functions.setdefault(qualname, FunctionTypes()).params[param] = text
        for (mod, qualname), t in choices.returns.items():
            if mod != module.name:
                continue
            func = module.functions[qualname]
            text = ctx.render(t, func.node.lineno, func.class_name)
            if text is not None:
                ft.functions.setdefault(qualname, FunctionTypes()).returns = text
        for (mod, attr), t in choices.attributes.items():
            if mod != module.name:
                continue
            cls = attr.rpartition(".")[0]
            init = module.functions.get(cls + ".__init__")
            if init is None:
                continue
            text = ctx.render(t, init.node.lineno, cls)
            if text is not None:
                ft.attributes[attr] = text
        ft.imports = list(ctx.imports)
        out[module.path] = ft
    return out


def apply(modules: Sequence[Module], files: dict[Path, FileTypes]) -> dict[Path, str]:
    texts = {}
    for module in modules:
        ft = files.get(module.path)
        if ft is None or not (ft.functions or ft.attributes):
            continue
        key = (module.source, repr(ft))
        text = _ANNOTATED.get(key)
        if text is None:
            if len(_ANNOTATED) > 4096:
                _ANNOTATED.clear()
            text = _ANNOTATED[key] = annotate_module(_parsed(module.source), ft, module.source).code
        texts[module.path] = text
    return texts


# verification tries many candidates that differ in a few modules: the others' text is reused
_ANNOTATED: dict[tuple[str, str], str] = {}


@functools.lru_cache(maxsize=256)
def _parsed(source: str) -> cst.Module:
    """LibCST trees are immutable: each module is parsed once for all the candidates annotated into it."""
    return cst.parse_module(source)


def static_rounds(modules: Sequence[Module], target: tuple[int, int], extra: Facts | None) -> Choices:
    """Iterate mypy builds until the choices stop changing: each round's annotations type the next."""
    choices = Choices()
    texts: dict[Path, str] = {}
    grounded = Facts()      # round one: call sites typed by the source's own annotations only
    for round_ in range(MAX_ROUNDS):
        result = run_mypy(modules, texts, target)
        current = [module_from_text(m, texts[m.path]) if m.path in texts else m for m in modules]
        facts = Facts()
        StaticCollector(result, current, "call" if round_ == 0 else "call-derived").collect(facts)
        if round_ == 0:
            grounded = facts
            find_aliases(result, modules)
        else:
            facts.merge(Facts(functions={k: _calls_only(v) for k, v in grounded.functions.items()},
                              declared_protocols=grounded.declared_protocols))
        if extra is not None:
            facts.merge(extra)
        new = decide(modules, facts)
        if new == choices:
            break
        choices = new
        texts = apply(modules, render(modules, choices, target))
    return choices


def _calls_only(ff: FunctionEvidence) -> FunctionEvidence:
    """Round one's evidence that later rounds cannot see again (their texts carry inferred annotations)."""
    return FunctionEvidence(params={n: {s: ev[s] for s in _GROUNDED if s in ev} for n, ev in ff.params.items()
                                 if any(s in ev for s in _GROUNDED)},
                         returns={s: ff.returns[s] for s in _GROUNDED if s in ff.returns})


_GROUNDED = ("call", "declared")


def infer_package(files: Sequence[Path], *, root: Path, trace_command: str | None = None,
                  target_version: tuple[int, int] | None = None, verify: bool = True,
                  trace_cwd: Path | None = None, allow_trace_failure: bool = False,
                  callers: Sequence[Path] = ()) -> PackageTypes:
    """Types for every unannotated parameter, return and ``self`` attribute of the package's files.

    ``callers`` (the package's tests, its examples) are type-checked with the package during verification:
    an annotation that adds a mypy error to them is not written, as one that adds an error to the package.

    ``trace_command`` runs in ``trace_cwd`` (default: ``root``; ``pymigrate migrate`` passes the directory it
    was started from). Raises InferenceError when
    mypy cannot build the package, TraceError when the trace command fails (unless ``allow_trace_failure``)."""
    modules = load_modules(files)
    if not modules:
        return PackageTypes()
    target = target_version or python_version_of(root)
    traced: Facts | None = None
    caller_modules = _callers(modules, load_modules(callers), target)
    if trace_command:
        from .trace import run_trace
        traced = run_trace(trace_command, trace_cwd or root, modules, allow_trace_failure)
    while True:
        try:
            choices = static_rounds(modules, target, traced)
            generalize(modules, choices, target)
            if verify:
                from .mypy_filter import verified
                choices = verified(modules, choices, target, caller_modules)
            break
        except CompileError as exc:     # mypy cannot build the package (e.g. a blocking error)
            stopped = _stopping_modules(modules, exc.messages)
            if not stopped:
                raise InferenceError("mypy stopped: " + "; ".join(exc.messages[:3])) from exc
            for module, message in stopped:  # one file mypy cannot take leaves the others their inference
                print(f"{module.path}: skipped by type inference: mypy stopped on it: {message}", file=sys.stderr)
            dropped = {id(m) for m, _ in stopped}
            modules = [m for m in modules if id(m) not in dropped]
            if not modules:
                return PackageTypes()
    return PackageTypes(render(modules, choices, target, depends_on(root, "typing-extensions")))


def _callers(modules: Sequence[Module], callers: Sequence[Module], target: tuple[int, int]) -> list[Module]:
    """The callers verification checks with the package: none when mypy stops on them (a broken test
    file leaves the package its inference)."""
    from .mypy_filter import distinct

    usable = distinct(modules, callers)
    if usable:
        try:
            run_mypy([*modules, *usable], None, target, fresh=False)
        except CompileError as exc:
            print(f"callers left out of type inference: mypy stopped: {'; '.join(exc.messages[:1])}",
                  file=sys.stderr)
            return []
    return usable


def _stopping_modules(modules: Sequence[Module], messages: Sequence[str]) -> list[tuple[Module, str]]:
    """The modules a blocking mypy error names (``path:line: error: ...``), with the error's text."""
    by_path = {str(m.path): m for m in modules}
    found: dict[int, tuple[Module, str]] = {}
    for message in messages:
        path, sep, rest = message.partition(":")
        module = by_path.get(str(Path(path).resolve())) if sep else None
        if module is not None and id(module) not in found:
            found[id(module)] = (module, rest.split("error:", 1)[-1].strip())
    return list(found.values())
