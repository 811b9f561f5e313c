"""Static evidence from one mypy build: expression types (export_types), typed base-class methods, call sites.

PyPI's mypy is compiled with mypyc, so nothing here subclasses its visitors: expressions come from
``mypy.server.subexpr.get_subexpressions`` and are matched to the ``ast`` of the same file by source span.
"""

from __future__ import annotations

import ast
import atexit
import gc
import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from mypy import build as mypy_build
from mypy.errors import CompileError
from mypy.expandtype import expand_type
from mypy.modulefinder import BuildSource
from mypy.nodes import (
    ARG_NAMED,
    ARG_NAMED_OPT,
    ARG_OPT,
    ARG_POS,
    ARG_STAR,
    ARG_STAR2,
    Decorator,
    FuncDef,
    MypyFile,
    NameExpr,
    OverloadedFuncDef,
    TypeAlias,
    TypeInfo,
    Var,
)
from mypy.options import Options
from mypy.server.subexpr import get_subexpressions
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    LiteralType,
    NoneType,
    Overloaded,
    TupleType,
    Type,
    TypeAliasType,
    TypedDictType,
    TypeOfAny,
    TypeType,
    TypeVarId,
    TypeVarType,
    UnionType,
    get_proper_type,
)

from .guards import guarded_type
from .literals import literal_type
from .model import (
    CALLABLE,
    ELLIPSIS,
    LITERAL,
    NONE_T,
    PARAMS,
    TUPLE,
    TYPE_GUARD,
    UNION,
    Facts,
    FunctionEvidence,
    TypeRef,
    literal_value,
    register_supertypes,
    union,
)
from .package import (
    Function,
    Module,
    all_params,
    base_name,
    body_without_docstring,
    declared_self,
    decorator_names,
    defaults,
    is_placeholder,
    isinstance_call,
    isinstance_name,
    own_nodes,
    protocol_classes,
    raises_not_implemented,
)
from .sinks import local_bindings, narrowed, sources, stores
from .usage import compared_constants

Span = tuple[int, int, int, int]

# typeshed spells these in typing or private modules; annotations use the public collections.abc/io names.
_ABC = {"Iterator", "Iterable", "Sequence", "Mapping", "MutableMapping", "Callable", "Generator", "AsyncIterator",
        "AsyncIterable", "AsyncGenerator", "Awaitable", "Container", "Collection", "Hashable", "Sized", "Reversible",
        "KeysView", "ItemsView", "ValuesView", "MutableSequence", "MutableSet", "Coroutine"}
_RENAMES = {"typing.AbstractSet": "collections.abc.Set", "_io.StringIO": "io.StringIO", "_io.BytesIO": "io.BytesIO",
            "_io.TextIOWrapper": "io.TextIOWrapper", "_io.BufferedReader": "io.BufferedReader",
            "_io.BufferedWriter": "io.BufferedWriter", "_decimal.Decimal": "decimal.Decimal",
            "_collections_abc.dict_keys": "collections.abc.KeysView",
            "_collections_abc.dict_values": "collections.abc.ValuesView",
            "_collections_abc.dict_items": "collections.abc.ItemsView",
            # the class ``Path(...)`` builds on this platform: the portable name is the one to write
            "pathlib.PosixPath": "pathlib.Path", "pathlib.WindowsPath": "pathlib.Path",
            "pathlib._local.PosixPath": "pathlib.Path", "pathlib._local.WindowsPath": "pathlib.Path",
            "pathlib.PurePosixPath": "pathlib.PurePath", "pathlib.PureWindowsPath": "pathlib.PurePath",
            "pathlib._local.PurePosixPath": "pathlib.PurePath", "pathlib._local.PureWindowsPath": "pathlib.PurePath",
            "pathlib._local.Path": "pathlib.Path", "pathlib._local.PurePath": "pathlib.PurePath"}


def mypy_options(python_version: tuple[int, int] | None) -> Options:
    options = Options()
    options.check_untyped_defs = True
    options.export_types = True
    # the standard library and installed packages are read from a cache kept between runs (_cache_dir); the
    # package's own modules always carry a fresh marker line (run_mypy) so they are analysed again, with
    # their types
    options.incremental = True
    options.cache_dir = _cache_dir()
    options.preserve_asts = True
    options.show_traceback = True
    options.follow_imports = "silent"
    options.ignore_missing_imports = True
    # mypy's native parser reads a module from disk when it is the only one a build parses, ignoring the
    # text given for it: a candidate's annotations went unchecked (six: +7 errors verification never saw)
    options.native_parser = False
    if python_version is not None:
        options.python_version = max(python_version, (3, 9))
    return options


_BUILDS = itertools.count()
BUILD_OBSERVERS: list[Callable[[mypy_build.BuildResult], None]] = []
"""Called with every build's result: the migration cache records which files mypy read (pymigrate.migrate.cache)."""
COLLECT_EVERY = 4       # builds between full garbage collections: memory stays a few builds' worth
_RUN = os.urandom(8).hex()      # markers of this process never match a cache entry another process wrote
_CACHE: list[str] = []


def _cache_dir() -> str:
    """mypy's cache: the standard library's and installed packages' interfaces, built once and reused by
    every later run (about 2 s of each run's first build). It lives in `$PYMIGRATE_CACHE_DIR/mypy-<mypy
    version>-classic-parser`, else `~/.cache/pymigrate/mypy-<version>-classic-parser`, under the analysis cache's safety rules (private,
    owned by this user; mypy writes its entries atomically and checks them by content hash). With
    PYMIGRATE_NO_CACHE set, or when that directory cannot be used safely, a private temporary directory
    serves this process only."""
    if not _CACHE:
        from mypy.version import __version__ as mypy_version

        from pymigrate.analyze.cache import CacheUnusable, cache_base, private_directory
        from pymigrate.cachedir import NO_CACHE_ENV

        directory = None
        if os.environ.get(NO_CACHE_ENV, "0") in ("", "0"):
            # the parser is one of the options mypy's entries depend on: a directory of their own, so that
            # runs of an earlier pymigrate (mypy's native parser) do not invalidate them and the reverse
            candidate = cache_base() / f"mypy-{mypy_version}-classic-parser"
            try:
                private_directory(candidate)
                directory = str(candidate)
            except CacheUnusable:
                directory = None
        if directory is None:
            directory = tempfile.mkdtemp(prefix="pymigrate-mypy-")
            atexit.register(shutil.rmtree, directory, True)
        _CACHE.append(directory)
    return _CACHE[0]


def run_mypy(modules: Sequence[Module], texts: dict[Path, str] | None = None,
             python_version: tuple[int, int] | None = None, fresh: bool = True) -> mypy_build.BuildResult:
    """Build ``modules`` in memory; ``texts`` overrides a file's contents (annotated candidates).

    ``fresh`` analyses every module again (expression types are only exported for analysed modules);
    without it, modules whose text an earlier build saw, and whose dependencies' interfaces did not change,
    come from the cache with their errors, which is all verification needs and much faster.
    """
    texts = texts or {}
    build = next(_BUILDS)
    if build % COLLECT_EVERY == 0:
        # a build's graph (manager, states, trees, types) is cyclic garbage once its result is dropped; left
        # to the collector's thresholds, the garbage of dozens of verification builds piles up before a full
        # collection (1.3 GB instead of 0.2 GB on a 7,000-line package)
        gc.collect()
    marker = f"\n# pymigrate build {_RUN}-{build}\n" if fresh else ""    # a new last line: lines unchanged
    sources = [BuildSource(str(m.path), m.name, texts.get(m.path, m.source) + marker, None) for m in modules]
    try:
        result = mypy_build.build(sources, mypy_options(python_version))
    except SystemExit as exc:  # mypy's internal errors end in sys.exit after printing a report
        raise CompileError([f"mypy stopped with an internal error (exit status {exc.code})"]) from None
    for observe in BUILD_OBSERVERS:
        observe(result)
    return result


def error_lines(result: mypy_build.BuildResult) -> list[str]:
    return [e for e in result.errors if ": error:" in e]


MAX_DEPTH = 6


def to_typeref(t: Type | None, package_prefixes: tuple[str, ...] = (), depth: int = 0,
               declared: bool = False, variables: frozenset[str] = frozenset()) -> TypeRef | None:
    """A mypy type as a TypeRef; None when it has no faithful annotation without Any.

    A ``declared`` type (what the author wrote for a variable or attribute) keeps its Literal values, and
    the names of the package's aliases that stand for them; elsewhere literals are their class (mypy infers
    ``Literal[3]`` for every constant). A recursive alias, which has no finite expansion, keeps its name;
    other aliases are expanded (syntax.py writes the alias for its expansion). The type variables named in
    ``variables`` (by full name) are written as themselves; any other is not faithful.
    """
    if t is None or depth > MAX_DEPTH:
        return None
    if isinstance(t, TypeAliasType) and t.alias is not None and not t.args \
            and t.alias.fullname.startswith(package_prefixes) \
            and (t.is_recursive or (declared and _has_literal(t.alias.target))):
        return TypeRef(t.alias.fullname)    # no expansion the alias table maps back to its name
    p = get_proper_type(t)
    if isinstance(p, Instance):
        name = _public_name(p.type.fullname, package_prefixes)
        if name is None:
            return None
        if name == "builtins.function":
            return None
        _register(name, p.type, package_prefixes)
        if p.args and _omitted_arguments(p):
            return TypeRef(name)        # ``slice``: its parameters default to Any and were not written
        args = [to_typeref(a, package_prefixes, depth + 1, declared, variables) for a in p.args]
        if any(a is None for a in args):
            return None
        refs = tuple(a for a in args if a is not None)
        if refs and _all_defaults(p, refs, package_prefixes, depth):
            refs = ()       # Message[str, str] is written Message when str, str are its parameters' defaults
        if name == TUPLE and len(refs) == 1:
            refs = (refs[0], TypeRef(ELLIPSIS))
        return TypeRef(name, refs)
    if isinstance(p, TupleType):
        fallback = p.partial_fallback.type.fullname
        if fallback != TUPLE:
            name = _public_name(fallback, package_prefixes)
            return None if name is None else TypeRef(name)
        items = [to_typeref(i, package_prefixes, depth + 1, declared, variables) for i in p.items]
        if any(i is None for i in items):
            return None
        return TypeRef(TUPLE, tuple(i for i in items if i is not None) or (TypeRef("()"),))
    if isinstance(p, UnionType):
        items = [to_typeref(i, package_prefixes, depth + 1, declared, variables) for i in p.items]
        if any(i is None for i in items):
            return None
        values = tuple(v for i in items if i is not None and i.name == LITERAL for v in i.args)
        rest = [i for i in items if i is not None and i.name != LITERAL]
        return union(rest + [TypeRef(LITERAL, values)] if values else rest)     # Literal["a", "b"]: one member
    if isinstance(p, NoneType):
        return NONE_T
    if isinstance(p, LiteralType):
        if declared and isinstance(p.value, (str, int)) and not p.is_enum_literal():
            return TypeRef(LITERAL, (literal_value(p.value),))
        return to_typeref(p.fallback, package_prefixes, depth + 1, declared, variables)
    if isinstance(p, TypeType):
        item = to_typeref(p.item, package_prefixes, depth + 1, declared, variables)
        return None if item is None else TypeRef("builtins.type", (item,))
    if isinstance(p, TypedDictType):
        name = p.fallback.type.fullname
        return None if name.startswith("typing") else TypeRef(name)
    if isinstance(p, Overloaded) and p.is_type_obj():      # a class whose constructor is overloaded (int)
        return to_typeref(TypeType(p.items[0].ret_type), package_prefixes, depth + 1, declared, variables)
    if isinstance(p, CallableType):
        if p.is_type_obj():
            return to_typeref(TypeType(p.ret_type), package_prefixes, depth + 1, declared, variables)
        ret = to_typeref(p.ret_type, package_prefixes, depth + 1, declared, variables)
        if ret is None:
            return None
        if p.is_ellipsis_args:
            return TypeRef(CALLABLE, (TypeRef(ELLIPSIS), ret))
        if any(k != ARG_POS for k in p.arg_kinds):
            return None
        params = [to_typeref(a, package_prefixes, depth + 1, declared, variables) for a in p.arg_types]
        if any(a is None for a in params):
            return None
        return TypeRef(CALLABLE, (TypeRef(PARAMS, tuple(a for a in params if a is not None)), ret))
    if isinstance(p, TypeVarType) and p.fullname in variables:
        return TypeRef(p.fullname)
    return None    # Any, Never, other type variables, overloads: nothing faithful to write


def find_aliases(result: mypy_build.BuildResult, modules: Sequence[Module]) -> None:
    """Record each module's type aliases (``X = Sequence[int]``, defined or imported) that stand for a
    generic or a union written without Literal: a plain class alias would rename every use of the class."""
    prefixes = tuple(sorted({m.name.split(".")[0] + "." for m in modules}))
    for module in modules:
        state = result.graph.get(module.name)
        if state is None or state.tree is None:
            continue
        for sym in state.tree.names.values():
            node = sym.node
            if not isinstance(node, TypeAlias) or not node.fullname.startswith(prefixes) \
                    or _has_literal(node.target):
                continue
            t = to_typeref(node.target, prefixes)
            if t is not None and (t.args or t.name == UNION) and t not in module.aliases:
                module.aliases[t] = node.fullname


def _has_literal(t: Type, depth: int = 0) -> bool:
    if isinstance(t, TypeAliasType) and t.is_recursive and depth > 0:
        return False        # the alias itself, inside its own definition: looked at from the top
    p = get_proper_type(t)
    if isinstance(p, LiteralType) or depth > MAX_DEPTH:
        return True
    if isinstance(p, Instance):
        return any(_has_literal(a, depth + 1) for a in p.args)
    if isinstance(p, (TupleType, UnionType)):
        return any(_has_literal(a, depth + 1) for a in p.items)
    if isinstance(p, CallableType):
        return any(_has_literal(a, depth + 1) for a in [*p.arg_types, p.ret_type])
    if isinstance(p, TypeType):
        return _has_literal(p.item, depth + 1)
    return False


def _omitted_arguments(p: Instance) -> bool:
    """Every type argument is Any because none was written (the parameters' own defaults, or omitted)."""
    for arg, variable in zip(p.args, p.type.defn.type_vars):
        a = get_proper_type(arg)
        if not isinstance(a, AnyType):
            return False
        if a.type_of_any != TypeOfAny.from_omitted_generics and not variable.has_default():
            return False
    return len(p.args) == len(p.type.defn.type_vars)


def _all_defaults(p: Instance, refs: tuple[TypeRef, ...], prefixes: tuple[str, ...], depth: int) -> bool:
    variables = p.type.defn.type_vars
    if len(variables) != len(refs):
        return False
    defaults = [getattr(v, "default", None) for v in variables]
    if any(d is None or isinstance(get_proper_type(d), AnyType) for d in defaults):
        return False
    return [to_typeref(d, prefixes, depth + 1) for d in defaults] == list(refs)


_PROTOCOLS = ("collections.abc.Iterable", "collections.abc.Sequence")     # what usage.spoken compares


def _register(name: str, info: TypeInfo, package_prefixes: tuple[str, ...]) -> None:
    if len(info.mro) > 2:
        register_supertypes(name, filter(None, (_public_name(b.fullname, package_prefixes) for b in info.mro)),
                            info.is_newtype)


def _public_name(fullname: str, package_prefixes: tuple[str, ...]) -> str | None:
    if fullname in _RENAMES:
        return _RENAMES[fullname]
    module, _, name = fullname.rpartition(".")
    if module == "typing" and name in _ABC:
        return "collections.abc." + name
    if module.startswith(package_prefixes):
        return fullname
    if any(part.startswith("_") for part in module.split(".")) or name.startswith("_"):
        return None
    return fullname


def expression_spans(result: mypy_build.BuildResult, tree: object) -> tuple[dict[Span, Type], dict[Span, Var]]:
    """A module's expression types by source span (line, column, end line, end column, as ``ast`` gives
    them), and the variable each name refers to."""
    spans: dict[Span, Type] = {}
    variables: dict[Span, Var] = {}
    for e in get_subexpressions(tree):  # type: ignore[arg-type]
        if e.end_line is None or e.end_column is None:
            continue
        span = (e.line, e.column, e.end_line, e.end_column)
        t = result.types.get(e)
        if t is not None:
            spans.setdefault(span, t)
        if isinstance(e, NameExpr) and isinstance(e.node, Var):
            variables.setdefault(span, e.node)
    return spans, variables


class StaticCollector:
    """Turns one mypy build into Facts for the package's functions and attributes."""

    def __init__(self, result: mypy_build.BuildResult, modules: Sequence[Module], call_source: str = "call") -> None:
        self.call_source = call_source      # "call-derived" once the text carries inferred annotations
        self.result = result
        self.modules = modules
        self.prefixes = tuple(sorted({m.name.split(".")[0] + "." for m in modules} | {m.name + "." for m in modules}))
        self.variables: dict[Span, Var] = {}       # the current module's, by span (see _variables)
        self.by_fullname = {f"{m.name}.{q}": (m.name, q) for m in modules for q in m.functions
                            if "<locals>" not in q and "@" not in q}
        # short names of the package's classes that others derive from
        self._bases = {b for m in modules for cls in m.classes.values() for b in map(base_name, cls.bases)}
        protocols = protocol_classes(modules)
        self._protocol_members = {f.node.name for m in modules for f in m.functions.values()
                                  if (m.name, f.class_name) in protocols}

    def ref(self, t: Type | None) -> TypeRef | None:
        return to_typeref(t, self.prefixes)

    def _register_classes(self) -> None:
        """Every class of the package with its bases, so that unions of classes only seen running
        (``str | Exception | PylockValidationError``) join their superclasses too."""
        for module in self.modules:
            state = self.result.graph.get(module.name)
            if state is None or state.tree is None:
                continue
            for sym in state.tree.names.values():
                if isinstance(sym.node, TypeInfo) and sym.node.fullname.startswith(module.name + "."):
                    name = _public_name(sym.node.fullname, self.prefixes)
                    if name is not None:
                        _register(name, sym.node, self.prefixes)

    def _declared_protocols(self, tree: MypyFile, facts: Facts) -> None:
        """The items of the read-only protocols the module's declared variables and attributes hold
        (``self._ranges: Sequence[Interval] | None``): the package's way of speaking of such values."""
        declared: list[Var] = [v for v in self.variables.values() if not v.is_inferred and v.type is not None]
        declared += [sym.node for info in tree.names.values() if isinstance(info.node, TypeInfo)
                     for sym in info.node.names.values()
                     if isinstance(sym.node, Var) and sym.node.type is not None
                     and (not sym.node.is_inferred or sym.node.explicit_self_type)]
        for var in declared:
            t = to_typeref(var.type, self.prefixes)
            for m in t.members() if t is not None else ():
                if m.name in _PROTOCOLS and len(m.args) == 1:
                    facts.declared_protocols.setdefault(m.name, set()).add(m.args[0])

    def _vocabularies(self, module: Module) -> dict[str, frozenset[object]]:
        """The module's own ``X = Literal["a", "b"]`` aliases, by name, with their values."""
        state = self.result.graph.get(module.name)
        out: dict[str, frozenset[object]] = {}
        if state is None or state.tree is None:
            return out
        for sym in state.tree.names.values():
            node = sym.node
            if isinstance(node, TypeAlias) and node.fullname.startswith(module.name + "."):
                target = get_proper_type(node.target)
                items = target.items if isinstance(target, UnionType) else [target]
                values = [get_proper_type(i) for i in items]
                if values and all(isinstance(v, LiteralType) and isinstance(v.value, str) for v in values):
                    out[node.fullname] = frozenset(v.value for v in values if isinstance(v, LiteralType))
        return out

    def _vocabulary_params(self, module: Module, facts: Facts) -> None:
        """A parameter compared with string constants (``context == "lock_file"``, its default
        ``"metadata"``) that are all values of one Literal alias of its module speaks that vocabulary:
        the alias comes first (``context: EvaluateContext``), what callers pass next."""
        vocabularies = self._vocabularies(module)
        if not vocabularies:
            return
        for qualname, func in module.functions.items():
            for param, said in compared_constants(func.node).items():
                fitting = [name for name, values in vocabularies.items() if len(said) > 1 and said <= values]
                if len(fitting) == 1:
                    facts.function(module.name, qualname).add_param(param, "declared", TypeRef(fitting[0]))

    def collect(self, facts: Facts) -> None:
        self._register_classes()
        sunk: dict[tuple[str, ...], set[TypeRef]] = {}
        for module in self.modules:
            state = self.result.graph.get(module.name)
            if state is None or state.tree is None:
                continue
            spans = self._spans(state.tree)
            if self.call_source == "call":      # later rounds' texts carry inferred annotations
                self._declared_protocols(state.tree, facts)
            self._functions(module, spans, facts)
            self._vocabulary_params(module, facts)
            self._calls(module, spans, facts)
            self._passes(module, spans, facts)
            if self.call_source == "call":      # later rounds' texts carry inferred annotations
                self._sinks(module, spans, self.variables, sunk)
        for key, types in sunk.items():
            if len(types) != 1:
                continue        # stored under two declared types: no guess
            t = next(iter(types))
            if key[0] == "param":
                facts.function(key[1], key[2]).add_param(key[3], "declared", t)
            else:
                facts.function(key[1], key[2]).add_return("declared", t)

    def _sinks(self, module: Module, spans: dict[Span, Type], variables: dict[Span, Var],
               sunk: dict[tuple[str, ...], set[TypeRef]]) -> None:
        """Parameters and package functions' returns whose values are stored into declared attributes and
        variables (sinks.py) take the declared type as evidence."""
        for qualname, func in module.functions.items():
            params = {a.arg for a in all_params(func.node)} - narrowed(func.node)
            bindings = local_bindings(func.node)
            for target, value in stores(func.node):
                declared = self._declared(target, spans, variables)
                if declared is None:
                    continue
                for kind, what in sources(value, params, bindings):
                    if kind == "param":
                        sunk.setdefault(("param", module.name, qualname, str(what)), set()).add(declared)
                    elif isinstance(what, ast.Call):
                        callee = self._callee(what, spans)
                        if callee is not None:
                            sunk.setdefault(("return", *callee), set()).add(declared)

    def _declared(self, target: ast.expr, spans: dict[Span, Type], variables: dict[Span, Var]) -> TypeRef | None:
        """The type the author declared for a variable or an attribute (None when mypy inferred it)."""
        var = self._declared_var(target, spans, variables)
        t = to_typeref(var.type, self.prefixes, declared=True) if var is not None else None
        return None if t is None or t.name == "builtins.object" else t

    def _declared_var(self, target: ast.expr, spans: dict[Span, Type], variables: dict[Span, Var]) -> Var | None:
        var: object = None
        if isinstance(target, ast.Name):
            var = variables.get(self._span(target))
        elif isinstance(target, ast.Attribute):
            receiver = get_proper_type(spans.get(self._span(target.value)))
            if isinstance(receiver, TypeVarType):      # ``new = cls.__new__(cls)`` in a classmethod: Self
                receiver = get_proper_type(receiver.upper_bound)
            sym = receiver.type.get(target.attr) if isinstance(receiver, Instance) else None
            var = sym.node if sym is not None else None
        # ``x: T`` in a class body, or ``self.x: T = ...`` in a method (mypy marks that one inferred)
        if not isinstance(var, Var) or (var.is_inferred and not var.explicit_self_type) or var.type is None:
            return None
        return var

    def _callee(self, call: ast.Call, spans: dict[Span, Type]) -> tuple[str, str] | None:
        """The package function a call runs, as (module, qualname); None for classes and the rest."""
        callee = get_proper_type(spans.get(self._span(call.func)))
        if isinstance(callee, CallableType) and callee.is_type_obj():
            return None     # a class: what ``__init__`` returns is not the value
        definition = _definition(callee)
        return None if definition is None else self.by_fullname.get(definition.fullname)

    def _spans(self, tree: object) -> dict[Span, Type]:
        """Expression types by source span; ``self.variables`` gets the variable each name refers to."""
        spans, self.variables = expression_spans(self.result, tree)
        return spans

    def expr(self, node: ast.expr, spans: dict[Span, Type]) -> TypeRef | None:
        """The type of an expression; displays typed in an Any context (list[Any]) are rebuilt from their items."""
        lit = literal_type(node)
        if lit is not None:
            return lit
        if isinstance(node, ast.Name) and node.id == "NotImplemented":
            return NOT_IMPLEMENTED      # accepted by every return type; merge leaves it out
        if isinstance(node, (ast.Name, ast.Attribute)) and self._declared_var(node, spans, self.variables):
            # a declared variable read (or narrowed): its Literals and alias names are the author's
            t = to_typeref(spans.get(self._span(node)), self.prefixes, declared=True)
            if t is not None:
                return t
        t = self.ref(spans.get(self._span(node)))
        if t is not None:
            return t
        if isinstance(node, ast.Call):
            return self._generic_call(node, spans)
        if isinstance(node, (ast.List, ast.Set)) and node.elts:
            item = self._join([self.expr(e, spans) for e in node.elts])
            return None if item is None else TypeRef("builtins.list" if isinstance(node, ast.List)
                                                     else "builtins.set", (item,))
        if isinstance(node, ast.Tuple) and node.elts and not any(isinstance(e, ast.Starred) for e in node.elts):
            items = [self.expr(e, spans) for e in node.elts]
            if any(i is None for i in items):
                return None
            return TypeRef(TUPLE, tuple(i for i in items if i is not None))
        if isinstance(node, ast.Dict) and node.keys and all(k is not None for k in node.keys):
            key = self._join([self.expr(k, spans) for k in node.keys if k is not None])
            value = self._join([self.expr(v, spans) for v in node.values])
            return None if key is None or value is None else TypeRef("builtins.dict", (key, value))
        if isinstance(node, (ast.ListComp, ast.SetComp)):
            item = self.expr(node.elt, spans)
            return None if item is None else TypeRef("builtins.list" if isinstance(node, ast.ListComp)
                                                     else "builtins.set", (item,))
        if isinstance(node, ast.DictComp):
            key, value = self.expr(node.key, spans), self.expr(node.value, spans)
            return None if key is None or value is None else TypeRef("builtins.dict", (key, value))
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
            left = self.expr(node.left, spans)
            if isinstance(node.op, ast.Mult):
                return left if left is not None and left.name in ("builtins.list", TUPLE, "builtins.str") else None
            right = self.expr(node.right, spans)
            if left is not None and right is not None and left.name == right.name == "builtins.list":
                return union([left, right])
            return None
        if isinstance(node, ast.IfExp):
            return self._join([self.expr(node.body, spans), self.expr(node.orelse, spans)])
        if isinstance(node, ast.Compare) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
            return BOOL     # an operand mypy cannot type (Any) leaves the result to the protocol: bool
        if isinstance(node, ast.BoolOp):
            return self._join([self.expr(v, spans) for v in node.values]) if all(
                _is_predicate(v) for v in node.values) else None
        return None

    def _generic_call(self, node: ast.Call, spans: dict[Span, Type]) -> TypeRef | None:
        """A call to a generic package function typed in an Any context (an unannotated parameter takes
        the value, so mypy solved ``T`` as Any): solve ``T`` from the classes passed for ``type[T]``."""
        callee = get_proper_type(spans.get(self._span(node.func)))
        definition = _definition(callee)
        if definition is None:
            return None
        declared = get_proper_type(definition.type)
        if not isinstance(declared, CallableType) or not declared.variables:
            return None
        solved: dict[TypeVarId, Type] = {}
        for i, arg in enumerate(node.args[: len(declared.arg_types)]):
            formal = get_proper_type(declared.arg_types[i])
            if declared.arg_kinds[i] not in (ARG_POS, ARG_OPT) or not isinstance(formal, TypeType):
                continue
            variable = get_proper_type(formal.item)
            actual = get_proper_type(spans.get(self._span(arg)))
            if isinstance(variable, TypeVarType) and isinstance(actual, (CallableType, Overloaded)) \
                    and actual.is_type_obj():
                solved[variable.id] = actual.items[0].ret_type if isinstance(actual, Overloaded) else actual.ret_type
        if len(solved) != len(declared.variables):
            return None
        return self.ref(expand_type(declared.ret_type, solved))

    @staticmethod
    def _join(types: list[TypeRef | None]) -> TypeRef | None:
        if any(t is None for t in types):
            return None
        return union(t for t in types if t is not None)

    @staticmethod
    def _span(node: ast.expr) -> Span:
        return (node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0)

    def _functions(self, module: Module, spans: dict[Span, Type], facts: Facts) -> None:
        for qualname, func in module.functions.items():
            ff = facts.function(module.name, qualname)
            for name, default in defaults(func.node).items():
                t = self.expr(default, spans)
                if t is not None:
                    ff.add_param(name, "default", t)
            has_value_return = False
            returns_self = _returns_self(func, module)
            self_type = self._self_type(module, func) if returns_self else SELF
            for node in own_nodes(func.node):
                if isinstance(node, ast.Return):
                    if node.value is None:
                        ff.add_return("return", NONE_T)
                        continue
                    has_value_return = True
                    t = self_type if returns_self else self.expr(node.value, spans)
                    if t is None:
                        ff.returns_incomplete = True
                    else:
                        ff.add_return("return", t)
                elif isinstance(node, (ast.Yield, ast.YieldFrom)):
                    ff.generator = True
                    if isinstance(node, ast.Yield) and node.value is None:
                        ff.yields_none = True
                    elif isinstance(node, ast.Yield) and node.value is not None:
                        t = self.expr(node.value, spans)
                        if t is None:
                            ff.returns_incomplete = True
                            ff.yields_none = True       # unknown: it may be None
                        else:
                            ff.add_return("yield", t)
                            ff.yields_none = ff.yields_none or NONE_T in t.members()
                    elif isinstance(node, ast.YieldFrom):
                        ff.returns_incomplete = True
                elif (isinstance(node, ast.Assign) and func.class_name is not None
                      and func.implicit_first is not None):
                    for target in node.targets:
                        if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                                and target.value.id == func.implicit_first):
                            t = self.expr(node.value, spans)
                            if t is not None:
                                facts.add_attribute(module.name, f"{func.class_name}.{target.attr}", "assign", t)
            if not has_value_return and not ff.generator and falls_through(func.node):
                ff.add_return("return", NONE_T)
            ff.context_manager = ff.generator and bool(decorator_names(func.node) & _CONTEXT_MANAGERS)
            ff.never_returns = not ff.returns and not ff.generator and _always_raises(func.node)
            if ff.never_returns and func.node.name == "__new__" and func.class_name is not None:
                ff.never_returns = False        # refuses to build one here, but says what it builds
                ff.add_return("return", TypeRef(f"{module.name}.{func.class_name}"))
            self._override(module, qualname, ff)
            self._overloads(module, qualname, ff)
            self._operator_domain(func, spans, ff)
            self._type_guard(func, spans, ff)

    def _self_type(self, module: Module, func: Function) -> TypeRef:
        """What an alternate constructor (a classmethod returning a new instance) returns: ``Self`` when a
        subclass calling it would get its own class (the class has subclasses in the package, or the
        method is one a Protocol or a base class declares), else the class, as authors write it."""
        if func.class_name is None or "classmethod" not in decorator_names(func.node):
            return SELF
        name = func.class_name.rpartition(".")[2]
        info = self._typeinfo(module, func.class_name)
        inherited = info is not None and any(func.node.name in base.names for base in info.mro[1:])
        if inherited or name in self._bases or func.node.name in self._protocol_members \
                or _delegates_to_self(func, module):
            return SELF
        return TypeRef(f"{module.name}.{func.class_name}")

    def _override(self, module: Module, qualname: str, ff: FunctionEvidence) -> None:
        """A method overriding a typed base-class method takes the base's parameter and return types."""
        func = module.functions[qualname]
        if func.class_name is None or "<locals>" in func.class_name or not func.is_method:
            return
        info = self._typeinfo(module, func.class_name)
        if info is None:
            return
        for base in info.mro[1:]:
            sym = base.names.get(func.node.name)
            if sym is None:
                continue
            node = sym.node
            if isinstance(node, Decorator):
                node = node.func
            if not isinstance(node, FuncDef) or not isinstance(node.type, CallableType):
                return
            self._apply_signature(func.node, node.type, ff)
            return

    def _operator_domain(self, func: Function, spans: dict[Span, Type], ff: FunctionEvidence) -> None:
        """``def __lt__(self, other): if not isinstance(other, V): return NotImplemented``: the operator is
        defined for V only (anything else raises TypeError), so ``other`` is a V."""
        guard = _not_implemented_guard(func)
        if guard is None:
            return
        param, classes = guard
        parts = classes.elts if isinstance(classes, ast.Tuple) else [classes]
        t = self._join([self.expr(c, spans) for c in parts])
        members = t.members() if t is not None else ()
        if t is not None and all(m.name == "builtins.type" and len(m.args) == 1 for m in members):
            domain = union(m.args[0] for m in members)
            if domain is not None:
                ff.add_param(param, "declared", domain)

    def _type_guard(self, func: Function, spans: dict[Span, Type], ff: FunctionEvidence) -> None:
        """A function answering whether its only parameter is a T (guards.py) returns ``TypeGuard[T]``."""
        t = guarded_type(func.node, lambda node: self._class(node, spans)) if not func.is_method else None
        if t is not None and not ff.generator:
            ff.add_return("guard", TypeRef(TYPE_GUARD, (t,)))

    def _class(self, node: ast.expr, spans: dict[Span, Type]) -> TypeRef | None:
        """The class an expression names (``tuple`` too, whose type object mypy types with Any items)."""
        t = self.expr(node, spans)
        if t is not None:
            return t.args[0] if t.name == "builtins.type" and len(t.args) == 1 else None
        callee = get_proper_type(spans.get(self._span(node)))
        if isinstance(callee, CallableType) and callee.is_type_obj():
            name = _public_name(callee.type_object().fullname, self.prefixes)
            return None if name is None else TypeRef(name)
        return None

    def _overloads(self, module: Module, qualname: str, ff: FunctionEvidence) -> None:
        """An overloaded function's implementation accepts what every overload accepts and returns what
        any returns: the union of their types, slot by slot (nothing when one has no writable type)."""
        func = module.functions[qualname]
        if "<locals>" in qualname:
            return
        if func.class_name is not None:
            info = self._typeinfo(module, func.class_name)
            sym = info.names.get(func.node.name) if info is not None else None
        else:
            state = self.result.graph.get(module.name)
            sym = state.tree.names.get(func.node.name) if state is not None and state.tree is not None else None
        node = sym.node if sym is not None else None
        if not isinstance(node, OverloadedFuncDef) or node.is_property:     # a property's accessors
            return
        signatures = [s for s in (get_proper_type(item.func.type if isinstance(item, Decorator) else item.type)
                                  for item in node.items) if isinstance(s, CallableType)]
        if not signatures or len(signatures) != len(node.items):
            return
        for arg in all_params(func.node)[1 if func.is_method else 0:]:
            types = [self.ref(s.arg_types[s.arg_names.index(arg.arg)]) if arg.arg in s.arg_names else None
                     for s in signatures]
            t = union(t for t in types if t is not None) if None not in types else None
            if t is not None:
                ff.add_param(arg.arg, "override", t)
        returns = [self.ref(s.ret_type) for s in signatures]
        if None not in returns:
            t = union(r for r in returns if r is not None)
            if t is not None:
                ff.add_return("override", t)

    def _apply_signature(self, node: ast.FunctionDef | ast.AsyncFunctionDef, sig: CallableType, ff: FunctionEvidence) -> None:
        ours = [*node.args.posonlyargs, *node.args.args]
        base_pos = [i for i, k in enumerate(sig.arg_kinds) if k in (ARG_POS, ARG_OPT)]
        if len(ours) != len(base_pos):
            return
        constructor = node.name in ("__init__", "__new__")     # not overrides: checked by no one, matched by name
        for arg, i in list(zip(ours, base_pos))[1:]:
            if constructor and sig.arg_names[i] != arg.arg:
                continue
            t = self.ref(sig.arg_types[i])
            if t is not None:
                ff.add_param(arg.arg, "override", t)
        for arg in node.args.kwonlyargs:
            if arg.arg in sig.arg_names:
                t = self.ref(sig.arg_types[sig.arg_names.index(arg.arg)])
                if t is not None:
                    ff.add_param(arg.arg, "override", t)
        ret = self.ref(sig.ret_type)
        if ret is not None:
            ff.add_return("override", ret)

    def _typeinfo(self, module: Module, class_qualname: str) -> TypeInfo | None:
        state = self.result.graph.get(module.name)
        if state is None or state.tree is None:
            return None
        names = state.tree.names
        info: TypeInfo | None = None
        for part in class_qualname.split("."):
            sym = names.get(part)
            if sym is None or not isinstance(sym.node, TypeInfo):
                return None
            info = sym.node
            names = info.names
        return info

    def _operator(self, node: ast.Compare | ast.BinOp, spans: dict[Span, Type], facts: Facts) -> None:
        """``a < b`` calls ``type(a).__lt__(a, b)``: when that is a package method, ``b`` is its argument."""
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1:
                return
            method, left, right = _COMPARE_METHODS.get(type(node.ops[0])), node.left, node.comparators[0]
        else:
            method, left, right = _BINARY_METHODS.get(type(node.op)), node.left, node.right
        receiver = get_proper_type(spans.get(self._span(left)))
        if method is None or not isinstance(receiver, Instance):
            return
        for info in receiver.type.mro:
            if method in info.names:
                target = self.by_fullname.get(f"{info.fullname}.{method}")
                if target is None:
                    return
                func = self._function(target[0], target[1])
                if func is None:
                    return
                params = all_params(func.node)
                t = self.expr(right, spans)
                if len(params) >= 2 and t is not None:
                    facts.function(*target).add_param(params[1].arg, self.call_source, t)
                return

    def _function(self, module_name: str, qualname: str) -> Function | None:
        module = next((m for m in self.modules if m.name == module_name), None)
        return None if module is None else module.functions.get(qualname)

    def _calls(self, module: Module, spans: dict[Span, Type], facts: Facts) -> None:
        for node in ast.walk(module.tree):
            if isinstance(node, (ast.Compare, ast.BinOp)):
                self._operator(node, spans, facts)
            if not isinstance(node, ast.Call):
                continue
            bound = self._bound_arguments(node, spans)
            if bound is None:
                continue
            ff = facts.function(*bound[0])
            for name, arg in bound[1]:
                t = self.expr(arg, spans)
                if t is not None:
                    ff.add_param(name, self.call_source, t)

    def _passes(self, module: Module, spans: dict[Span, Type], facts: Facts) -> None:
        """Parameters handed on whole to a package function's parameter (engine.py gives them its type)."""
        for qualname, func in module.functions.items():
            params = {a.arg for a in all_params(func.node)} - {func.implicit_first}
            for node in own_nodes(func.node):
                bound = self._bound_arguments(node, spans) if isinstance(node, ast.Call) else None
                if bound is None or bound[0] == (module.name, qualname):
                    continue
                for name, arg in bound[1]:
                    if isinstance(arg, ast.Name) and arg.id in params:
                        facts.function(module.name, qualname).passes.setdefault(arg.id, set()).add(
                            (*bound[0], name))

    def _bound_arguments(self, node: ast.Call, spans: dict[Span, Type]
                         ) -> tuple[tuple[str, str], list[tuple[str, ast.expr]]] | None:
        """The package function a call runs and the parameter each argument binds (``*args`` and
        ``**kwargs`` collect the extra ones); None when the callee is not a package function."""
        callee = get_proper_type(spans.get(self._span(node.func)))
        definition = _definition(callee)
        if definition is None or not isinstance(callee, CallableType):
            return None
        target = self.by_fullname.get(definition.fullname)
        if target is None:
            return None
        out: list[tuple[str, ast.expr]] = []
        kinds, names = callee.arg_kinds, callee.arg_names
        star = next((names[i] for i, k in enumerate(kinds) if k == ARG_STAR), None)
        star2 = next((names[i] for i, k in enumerate(kinds) if k == ARG_STAR2), None)
        for i, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred):
                break
            if i < len(kinds) and kinds[i] in (ARG_POS, ARG_OPT):
                name = names[i]
            elif star is not None:
                name = star
            else:
                break
            if name is not None:
                out.append((name, arg))
        for kw in node.keywords:
            if kw.arg is None:
                continue
            if kw.arg in names and kinds[names.index(kw.arg)] in (ARG_POS, ARG_OPT, ARG_NAMED, ARG_NAMED_OPT):
                out.append((kw.arg, kw.value))
            elif star2 is not None:
                out.append((star2, kw.value))
        return target, out


BOOL = TypeRef("builtins.bool")
NOT_IMPLEMENTED = TypeRef("builtins._NotImplementedType")
_COMPARE_METHODS: dict[type, str] = {ast.Lt: "__lt__", ast.LtE: "__le__", ast.Gt: "__gt__", ast.GtE: "__ge__",
                                     ast.Eq: "__eq__", ast.NotEq: "__ne__"}
_BINARY_METHODS: dict[type, str] = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__",
                                    ast.Div: "__truediv__", ast.FloorDiv: "__floordiv__", ast.Mod: "__mod__",
                                    ast.BitAnd: "__and__", ast.BitOr: "__or__", ast.BitXor: "__xor__",
                                    ast.MatMult: "__matmul__", ast.Pow: "__pow__"}


SELF = TypeRef("typing.Self")


def _definition(callee: object) -> FuncDef | None:
    """The function a callable type was made from (a classmethod's or staticmethod's, through its decorator)."""
    if not isinstance(callee, CallableType):
        return None
    definition = callee.definition
    if isinstance(definition, Decorator):
        definition = definition.func
    return definition if isinstance(definition, FuncDef) else None


def _returns_self(func: Function, module: Module) -> bool:
    """Every value returned is the receiver, a new instance of its own class, or (an alternate constructor)
    what a classmethod of its class returning Self gives (``return cls._from_dict(d)``): the return is Self."""
    first = func.implicit_first
    if first is None:
        return False
    is_classmethod = "classmethod" in {d.id for d in func.node.decorator_list if isinstance(d, ast.Name)}
    values = [n.value for n in own_nodes(func.node) if isinstance(n, ast.Return)]
    if not values or any(v is None for v in values):
        return False

    def is_receiver_class(e: ast.expr) -> bool:
        if isinstance(e, ast.Attribute) and e.attr == "__new__":    # cls.__new__(cls), object.__new__(cls)
            return True     # the call's first argument is checked by the caller
        if is_classmethod:
            return isinstance(e, ast.Name) and e.id == first
        return (isinstance(e, ast.Attribute) and e.attr == "__class__" and isinstance(e.value, ast.Name)
                and e.value.id == first) or (
            isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "type"
            and len(e.args) == 1 and isinstance(e.args[0], ast.Name) and e.args[0].id == first)

    # locals bound only to a new instance (``obj = cls(...); obj.check(); return obj``)
    bound: dict[str, list[ast.expr]] = {}
    for n in own_nodes(func.node):
        if isinstance(n, ast.Assign):
            for target in n.targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, []).append(n.value)
        elif isinstance(n, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and isinstance(n.target, ast.Name):
            bound.setdefault(n.target.id, []).append(ast.Constant(None))   # anything else: not only new

    def is_new_instance(e: ast.expr) -> bool:
        if is_classmethod and isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) \
                and isinstance(e.func.value, ast.Name) and e.func.value.id == first \
                and _declared_self(module, f"{func.class_name}.{e.func.attr}"):
            return True
        if not (isinstance(e, ast.Call) and is_receiver_class(e.func)):
            return False
        if isinstance(e.func, ast.Attribute) and e.func.attr == "__new__":     # of the receiver's class
            return bool(e.args) and is_receiver_class(e.args[0])
        return True

    instances = {name for name, values in bound.items() if all(is_new_instance(v) for v in values)}
    return all((not is_classmethod and isinstance(v, ast.Name) and v.id == first)
               or is_new_instance(v)
               or (isinstance(v, ast.Name) and v.id in instances) for v in values if v is not None)


def _not_implemented_guard(func: Function) -> tuple[str, ast.expr] | None:
    """``(other, V)`` for a binary operator whose body starts ``if not isinstance(other, V): return
    NotImplemented``, or ends in ``return NotImplemented`` after ``if isinstance(other, V): ...``."""
    params = all_params(func.node)
    if not (func.is_method and len(params) == 2 and _is_dunder(func.node.name)) or func.node.name in _NOT_OPERATORS:
        return None
    other = params[1].arg
    body = body_without_docstring(func.node)
    if not body or not isinstance(body[0], ast.If):
        return None
    test, then = body[0].test, body[0].body
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    call = test.operand if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) else test
    checked = isinstance_call(call)
    if checked is None or isinstance_name(call) != other:
        return None
    guarded = then if negated else body[-1:]
    if len(guarded) == 1 and isinstance(guarded[0], ast.Return) and isinstance(guarded[0].value, ast.Name) \
            and guarded[0].value.id == "NotImplemented":
        return other, checked[1]
    return None


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


_NOT_OPERATORS = {"__init__", "__new__", "__setstate__", "__eq__", "__ne__", "__contains__", "__getitem__",
                  "__init_subclass__", "__reduce_ex__", "__format__", "__getattr__", "__getattribute__",
                  "__delattr__", "__class_getitem__", "__missing__", "__delitem__", "__call__", "__enter__"}


def _delegates_to_self(func: Function, module: Module) -> bool:
    """A classmethod returning what another classmethod of its class written ``-> Self`` returns."""
    first = func.implicit_first
    return any(isinstance(n, ast.Return) and isinstance(n.value, ast.Call) and isinstance(n.value.func, ast.Attribute)
               and isinstance(n.value.func.value, ast.Name) and n.value.func.value.id == first
               and _declared_self(module, f"{func.class_name}.{n.value.func.attr}") for n in own_nodes(func.node))


def _declared_self(module: Module, qualname: str) -> bool:
    method = module.functions.get(qualname)
    return method is not None and declared_self(method.node.returns)


def _is_predicate(node: ast.expr) -> bool:
    """A comparison, a negation or a chain of them: evaluates to bool whatever its operands are."""
    if isinstance(node, ast.Compare) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
        return True
    return isinstance(node, ast.BoolOp) and all(_is_predicate(v) for v in node.values)


_CONTEXT_MANAGERS = {"contextmanager", "asynccontextmanager"}


def _always_raises(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The body ends in a raise that is not a placeholder (NotImplementedError marks an abstract method)."""
    if any(isinstance(n, ast.Return) for n in own_nodes(func)) or not func.body:
        return False
    last = func.body[-1]
    return isinstance(last, ast.Raise) and last.exc is not None and not raises_not_implemented(last)


def falls_through(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """True unless the body ends in a raise or is a placeholder (``pass`` alone does return None)."""
    body = body_without_docstring(func)
    if body and isinstance(body[-1], ast.Raise):
        return False
    return bool(body) and (not is_placeholder(func) or isinstance(body[0], ast.Pass))
