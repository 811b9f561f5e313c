"""Annotation text for one file: names as the file can see them, imports it needs, the target's syntax.

Union syntax ``X | None`` is used when the target Python evaluates it (3.10+) or annotations are lazy
(``from __future__ import annotations``); otherwise ``Optional``/``Union``. Names from the package's own
modules are imported under ``if TYPE_CHECKING:`` (no import cycles at run time), and an annotation that
names something not bound when the ``def`` runs is written as a string unless annotations are lazy.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .model import CALLABLE, ELLIPSIS, NONE, PARAMS, UNION, VALUE, TypeRef
from .package import Module

_TYPING_OLD = {"builtins.list": "List", "builtins.dict": "Dict", "builtins.set": "Set",
               "builtins.frozenset": "FrozenSet", "builtins.tuple": "Tuple", "builtins.type": "Type"}


# typing names by the first Python whose typing has them; for an older target they come from
# typing_extensions: imported at run time when the package depends on it everywhere, else for type
# checking only (under TYPE_CHECKING, the annotation quoted) so the package needs no new dependency
_TYPING_SINCE = {
    (3, 8): ("Literal", "Protocol", "Final", "TypedDict", "final", "runtime_checkable", "SupportsIndex"),
    (3, 9): ("Annotated",),
    (3, 10): ("ParamSpec", "ParamSpecArgs", "ParamSpecKwargs", "Concatenate", "TypeAlias", "TypeGuard", "is_typeddict"),
    (3, 11): ("Self", "Never", "LiteralString", "Required", "NotRequired", "Unpack", "TypeVarTuple",
              "assert_never", "assert_type", "reveal_type", "dataclass_transform"),
    (3, 12): ("override",),
    (3, 13): ("TypeIs", "ReadOnly", "NoDefault"),
}
_BACKPORTS = {f"typing.{name}": (since, f"typing_extensions.{name}")
              for since, names in _TYPING_SINCE.items() for name in names}


# collections.abc names and the typing aliases a module may have imported them as
_TWINS = {f"collections.abc.{n}": f"typing.{n}" for n in (
    "Callable", "Iterable", "Iterator", "Sequence", "Mapping", "MutableMapping", "Collection", "Container",
    "Generator", "AsyncIterator", "AsyncIterable", "AsyncGenerator", "Awaitable", "Coroutine", "Hashable",
    "Sized", "Reversible", "MutableSequence", "MutableSet", "KeysView", "ItemsView", "ValuesView")}
_TWINS["collections.abc.Set"] = "typing.AbstractSet"


@dataclass
class Binding:
    fullname: str
    type_checking_only: bool


@dataclass
class FileContext:
    module: Module
    package_modules: frozenset[str]
    target: tuple[int, int]
    bindings: dict[str, Binding] = field(default_factory=dict)
    local_defs: dict[str, int] = field(default_factory=dict)   # module-level class/def/assign name -> line
    guarded_defs: set[str] = field(default_factory=set)         # ... of them, those under TYPE_CHECKING
    imports: dict[str, None] = field(default_factory=dict)      # statements to add, ordered
    type_vars: frozenset[str] = frozenset()     # type variables the signatures use, declared when missing
    has_type_checking: bool = False
    extensions_at_run_time: bool = False      # the package depends on typing_extensions everywhere

    @classmethod
    def of(cls, module: Module, package_modules: frozenset[str], target: tuple[int, int],
           extensions_at_run_time: bool = False) -> FileContext:
        ctx = cls(module, package_modules, target, extensions_at_run_time=extensions_at_run_time)
        ctx._scan(module.tree.body, False)
        return ctx

    def _scan(self, body: list[ast.stmt], guarded: bool) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Import):
                for a in stmt.names:
                    if a.asname:
                        self.bindings[a.asname] = Binding(a.name, guarded)
                    else:
                        top = a.name.split(".")[0]
                        self.bindings[top] = Binding(top, guarded)
            elif isinstance(stmt, ast.ImportFrom):
                base = self._absolute(stmt)
                for a in stmt.names:
                    if a.name != "*":
                        self.bindings[a.asname or a.name] = Binding(f"{base}.{a.name}", guarded)
            elif isinstance(stmt, ast.If):
                test = stmt.test
                is_tc = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                    isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
                self._scan(stmt.body, guarded or is_tc)
                self._scan(stmt.orelse, guarded)
            elif isinstance(stmt, ast.Try):
                self._scan(stmt.body, guarded)
            elif isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                self.local_defs.setdefault(stmt.name, stmt.lineno)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        self.local_defs.setdefault(t.id, stmt.lineno)
                        if guarded:
                            self.guarded_defs.add(t.id)
                        if t.id == "TYPE_CHECKING":
                            self.has_type_checking = True
        if "TYPE_CHECKING" in self.bindings:
            self.has_type_checking = True

    def _absolute(self, stmt: ast.ImportFrom) -> str:
        if not stmt.level:
            return stmt.module or ""
        parts = self.module.name.split(".")
        is_package = self.module.path.name == "__init__.py"
        base = parts if is_package else parts[:-1]
        base = base[: len(base) - (stmt.level - 1)] if stmt.level > 1 else base
        return ".".join(base + ([stmt.module] if stmt.module else []))

    @property
    def lazy(self) -> bool:
        return self.module.future_annotations or self.target >= (3, 14)

    def render(self, t: TypeRef, def_line: int, enclosing_class: str | None = None) -> str | None:
        """Annotation text for ``t`` at a ``def`` on ``def_line``; None when the file cannot name it."""
        renderer = _Renderer(self, def_line, enclosing_class)
        text = renderer.render(t)
        if text is None:
            return None
        for statement in renderer.imports:
            self.imports[statement] = None
        if renderer.needs_quotes and not self.lazy:
            return '"' + text + '"'
        return text


_ANY_CLASS = TypeRef("builtins.type", (TypeRef("builtins.object"),))


class _Renderer:
    def __init__(self, ctx: FileContext, def_line: int, enclosing_class: str | None) -> None:
        self.ctx = ctx
        self.def_line = def_line
        self.enclosing = enclosing_class
        self.imports: list[str] = []
        self.needs_quotes = False

    @property
    def new_syntax(self) -> bool:
        return self.ctx.lazy or self.ctx.target >= (3, 10)

    def render(self, t: TypeRef) -> str | None:
        t = self._with_aliases(t)
        if t == _ANY_CLASS:
            t = TypeRef("builtins.type")    # any class: people write ``type``, never ``type[object]``
        if t.name == NONE:
            return "None"
        if t.name in ("()", ELLIPSIS):
            return t.name
        if t.name.startswith(VALUE):
            return t.name[len(VALUE):]
        if t.name == PARAMS:
            items = [self.render(a) for a in t.args]
            return None if None in items else "[" + ", ".join(i for i in items if i is not None) + "]"
        if t.name == UNION:
            items = [self.render(a) for a in t.args]
            if None in items:
                return None
            texts = list(dict.fromkeys(i for i in items if i is not None))     # ``type`` and ``type[object]``
            if len(texts) == 1:
                return texts[0]
            if self.new_syntax:
                return " | ".join(texts)
            non_none = [x for x in texts if x != "None"]
            if len(non_none) == 1:
                return f"{self.name('typing.Optional')}[{non_none[0]}]"
            inner = ", ".join(texts)
            return f"{self.name('typing.Union')}[{inner}]"
        fullname = t.name
        if t.args and not (self.ctx.lazy or self.ctx.target >= (3, 9)):
            if fullname in _TYPING_OLD:
                fullname = "typing." + _TYPING_OLD[fullname]
            elif fullname.startswith("collections.abc."):
                fullname = "typing." + fullname.rpartition(".")[2]
        base = self.name(fullname)
        if base is None:
            return None
        if not t.args:
            return base
        args = [self.render(a) for a in t.args]
        if None in args:
            return None
        return base + "[" + ", ".join(a for a in args if a is not None) + "]"

    def _with_aliases(self, t: TypeRef) -> TypeRef:
        """The module's alias for ``t``, or for the members of a union it covers (``UnparsedVersion | None``)."""
        aliases = self.ctx.module.aliases
        if t in aliases:
            return TypeRef(aliases[t])
        if t.name != UNION:
            return t
        members = list(t.args)
        for expansion, alias in sorted(aliases.items(), key=lambda a: -len(a[0].members())):
            parts = expansion.members()
            if expansion.name == UNION and all(p in members for p in parts):
                at = members.index(parts[0])
                members = [TypeRef(alias) if i == at else m for i, m in enumerate(members)
                           if i == at or m not in parts]
        return TypeRef(UNION, tuple(members)) if len(members) > 1 else members[0]

    def name(self, fullname: str) -> str | None:
        ctx = self.ctx
        backport = _BACKPORTS.get(fullname)
        if backport is not None:
            since, alternative = backport
            if any(b.fullname == alternative for b in ctx.bindings.values()) or ctx.target < since:
                fullname = alternative       # already imported from there, or typing has it only later
        module, _, short = fullname.rpartition(".")
        if not all(part.isidentifier() for part in fullname.split(".")):
            return None     # a class defined in a function (mypy's ``pkg.mod.Box@5``): no module can name it
        if module == "builtins":
            return short
        own = ctx.module.name
        if fullname.startswith(own + "."):
            qual = fullname[len(own) + 1:]
            top = qual.split(".")[0]
            line = ctx.local_defs.get(top)
            if line is None and qual in ctx.type_vars:     # declared next to the imports: bound before any def
                self.imports += ["from typing import TypeVar", f'{qual} = TypeVar("{qual}")']
                return qual
            if line is None:
                return None
            if line >= self.def_line or top in ctx.guarded_defs or (
                    self.enclosing and top == self.enclosing.split(".")[0]):
                self.needs_quotes = True
            return qual
        for bound, binding in ctx.bindings.items():
            if binding.fullname == fullname or fullname.startswith(binding.fullname + "."):
                if binding.type_checking_only:
                    self.needs_quotes = True
                return bound + fullname[len(binding.fullname):]
        twin = _TWINS.get(fullname)
        for bound, binding in ctx.bindings.items() if twin is not None else ():
            if binding.fullname == twin:    # ``from typing import Callable``: the same thing, older name
                if binding.type_checking_only:
                    self.needs_quotes = True
                return bound
        if short in ctx.bindings or short in ctx.local_defs:
            return None       # the short name means something else here
        # the package's own modules (no import cycles), typing_extensions unless the package depends on it,
        # _typeshed (exists for type checkers only)
        guarded = module in ctx.package_modules or module.split(".")[0] in {
            m.split(".")[0] for m in ctx.package_modules} or (
            module == "typing_extensions" and not ctx.extensions_at_run_time) or module == "_typeshed"
        statement = f"from {module} import {short}"
        if guarded:
            if not ctx.has_type_checking:
                self.imports.append("from typing import TYPE_CHECKING")
            statement = f"if TYPE_CHECKING:\n    {statement}"
            self.needs_quotes = True
        self.imports.append(statement)
        ctx.bindings[short] = Binding(fullname, guarded)
        return short


__all__ = ["FileContext", "CALLABLE"]
