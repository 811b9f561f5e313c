"""Insert inferred annotations with LibCST: only into empty slots, every comment and blank line kept.

Imports in ``FileTypes.imports`` are added only when an inserted annotation uses a name they bind and the
module does not bind it yet, so running twice changes nothing the second time. Attribute types
(``"C.attr"``) annotate the first ``self.attr = ...`` in ``C.__init__`` (an annotated assignment to an
attribute stores nothing at run time, so behaviour is unchanged).

An inserted annotation that would be evaluated before a name it uses is bound (``bindtime``: a method
naming its own class, a function naming a class defined further down, a nested function run while its
class body executes) is written as a string, which is never evaluated; the module's other annotations and
its ``__future__`` imports are left as they are.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

import libcst as cst

from pymigrate.migrate.bindtime import Evaluation, Lookup, eager_names, evaluations

if TYPE_CHECKING:
    from pymigrate.migrate.infer.api import FileTypes


def annotate_module(module: cst.Module, types: FileTypes, source: str | None = None) -> cst.Module:
    """``module`` with ``types`` inserted. ``source``, when the caller has it, is ``module``'s text: what the
    module already declares and binds is then read from it once for every set of types tried on it
    (verification), instead of from a new rendering of the module each time."""
    if not types.functions and not types.attributes:
        return module
    text = source if source is not None else module.code
    inserter = _Inserter(types, _declared_attributes(text), _evaluated_with(text, types.imports))
    annotated = module.visit(inserter)
    if not inserter.used_names:
        return annotated
    return _add_imports(annotated, types.imports, inserter.used_names)


def _names_in(annotation: str) -> set[str]:
    try:
        tree = ast.parse(annotation, mode="eval")
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names |= _names_in(node.value)
    return names


def _evaluated_with(source: str, imports: Sequence[str]) -> dict[tuple[str, str], list[Lookup]]:
    """For each ``(function qualname, slot)``, what is bound each time its annotation is evaluated (the
    imports annotation may add go at the top, before anything runs; those under ``if`` never run)."""
    added = {n for s in imports if not s.startswith("if ") for n in _statement_binds(s)}
    out: dict[tuple[str, str], list[Lookup]] = {}
    for ev in _evaluations(source):
        out.setdefault((ev.owner, ev.slot), []).append(_also(ev.bound, added))
    return out


@functools.lru_cache(maxsize=64)
def _evaluations(source: str) -> tuple[Evaluation, ...]:
    return tuple(evaluations(ast.parse(source)))


def _also(bound: Lookup, names: set[str]) -> Lookup:
    return lambda name: name in names or bound(name)


def _quoted(text: str) -> str:
    """``text`` as a string annotation (the same type to a checker, never evaluated at run time)."""
    return f'"{text}"' if '"' not in text else repr(text)


class _Inserter(cst.CSTTransformer):
    """Only the definitions ``types`` names are entered: a function body is walked only when a function
    nested in it has types or it is an ``__init__`` whose class has attribute types, a class only when
    something in it has types (most of a large module is never visited)."""

    def __init__(self, types: FileTypes, declared: AbstractSet[str],
                 evaluated_with: dict[tuple[str, str], list[Lookup]]) -> None:
        self.types = types
        self.declared = declared
        self.evaluated_with = evaluated_with
        self.wanted = {key[:i + 1] for key in [*types.functions, *types.attributes]
                       for i, c in enumerate(key) if c == "."}       # "C.", "f.<locals>.": typed below
        self.attribute_classes = {key.rpartition(".")[0] for key in types.attributes}
        self.scope: list[str] = []
        self.classes: list[str | None] = []       # class qualname for each open function/class frame
        self.seen: set[str] = set()
        self.used_names: set[str] = set()
        self.done_attributes: set[str] = set()

    def _prefix(self) -> str:
        return "".join(self.scope)

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.classes.append(self._prefix() + node.name.value)
        self.scope.append(node.name.value + ".")
        return self._prefix() in self.wanted

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        self.scope.pop()
        self.classes.pop()
        return updated_node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        qualname = self._prefix() + node.name.value
        in_init_of = self.classes[-1] if self.classes and node.name.value == "__init__" else None
        self.classes.append(in_init_of)
        self.scope.append(node.name.value + ".<locals>.")
        self._init_self = _first_param(node) if in_init_of else None
        self._stack_qualname = qualname
        return self._prefix() in self.wanted or in_init_of in self.attribute_classes

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self.scope.pop()
        self.classes.pop()
        qualname = self._prefix() + original_node.name.value
        if _is_overload(original_node):     # a typed declaration: the implementation after it is the function
            return updated_node
        if qualname in self.seen:     # a property's setter is keyed apart (infer.package); a redefinition is left
            qualname += _accessor_suffix(original_node) or ""
            if qualname in self.seen:
                return updated_node
        self.seen.add(qualname)
        ft = self.types.functions.get(qualname)
        if ft is None:
            return updated_node
        params = updated_node.params
        owner = self._prefix() + original_node.name.value
        params = params.with_changes(
            posonly_params=[self._param(p, ft.params, owner) for p in params.posonly_params],
            params=[self._param(p, ft.params, owner) for p in params.params],
            kwonly_params=[self._param(p, ft.params, owner) for p in params.kwonly_params],
            star_arg=self._param(params.star_arg, ft.params, owner) if isinstance(params.star_arg, cst.Param)
            else params.star_arg,
            star_kwarg=self._param(params.star_kwarg, ft.params, owner) if params.star_kwarg else None,
        )
        updated_node = updated_node.with_changes(params=params)
        if updated_node.returns is None and ft.returns is not None:
            text = self._in_time(ft.returns, owner, "return")
            updated_node = updated_node.with_changes(returns=cst.Annotation(self._expr(text)))
        return updated_node

    def _param(self, param: cst.Param, types: dict[str, str], owner: str) -> cst.Param:
        text = types.get(param.name.value)
        if param.annotation is not None or text is None:
            return param
        text = self._in_time(text, owner, param.name.value)
        annotated = param.with_changes(annotation=cst.Annotation(self._expr(text)))
        if param.default is not None and isinstance(param.equal, cst.AssignEqual):
            # PEP 8: `flag=False` unannotated, `flag: bool = False` annotated
            annotated = annotated.with_changes(equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(" "), whitespace_after=cst.SimpleWhitespace(" ")))
        return annotated

    def _in_time(self, text: str, owner: str, slot: str) -> str:
        """``text``, quoted when one of its names is not bound yet at some evaluation of the slot."""
        names = eager_names(ast.parse(text, mode="eval").body)
        if any(not bound(n) for bound in self.evaluated_with.get((owner, slot), ()) for n in names):
            return _quoted(text)
        return text

    def _expr(self, text: str) -> cst.BaseExpression:
        self.used_names |= _names_in(text)
        return cst.parse_expression(text)

    def leave_Assign(self, original_node: cst.Assign,
                     updated_node: cst.Assign) -> cst.Assign | cst.AnnAssign:
        cls = self.classes[-1] if self.classes else None
        if cls is None or len(updated_node.targets) != 1:
            return updated_node
        target = updated_node.targets[0].target
        if not (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                and target.value.value == getattr(self, "_init_self", None)):
            return updated_node
        key = f"{cls}.{target.attr.value}"
        text = self.types.attributes.get(key)
        if text is None or key in self.declared or key in self.done_attributes:
            return updated_node
        self.done_attributes.add(key)
        return cst.AnnAssign(target=target, annotation=cst.Annotation(self._expr(text)), value=updated_node.value,
                             semicolon=updated_node.semicolon)


def _is_overload(node: cst.FunctionDef) -> bool:
    for d in node.decorators:
        e = d.decorator
        if (isinstance(e, cst.Name) and e.value == "overload") or (
                isinstance(e, cst.Attribute) and e.attr.value == "overload"):
            return True
    return False


def _accessor_suffix(node: cst.FunctionDef) -> str | None:
    """The key suffix ``infer.package.accessor_suffix`` gives a property's setter or deleter."""
    from pymigrate.migrate.infer.api import ACCESSORS
    for d in node.decorators:
        e = d.decorator
        if isinstance(e, cst.Attribute) and e.attr.value in ACCESSORS and isinstance(e.value, cst.Name) \
                and e.value.value == node.name.value:
            return "@" + e.attr.value
    return None


def _first_param(node: cst.FunctionDef) -> str | None:
    params = [*node.params.posonly_params, *node.params.params]
    return params[0].name.value if params else None


@functools.lru_cache(maxsize=512)
def _declared_attributes(source: str) -> frozenset[str]:
    """``C.attr`` for attributes that already carry an annotation or a class-level binding."""
    tree = ast.parse(source)
    declared: set[str] = set()

    def walk(body: Sequence[ast.stmt], prefix: str) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                name = prefix + stmt.name
                for item in stmt.body:
                    if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        declared.add(f"{name}.{item.target.id}")
                    elif isinstance(item, ast.Assign):
                        declared.update(f"{name}.{t.id}" for t in item.targets if isinstance(t, ast.Name))
                    elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        for node in ast.walk(item):
                            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Attribute):
                                declared.add(f"{name}.{node.target.attr}")
                walk(stmt.body, name + ".")
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                walk(stmt.body, prefix + stmt.name + ".<locals>.")

    walk(tree.body, "")
    return frozenset(declared)


def _bound_names(module: cst.Module) -> set[str]:
    """The names the module's top-level statements bind (also inside if/elif/else and try/except bodies),
    read from the LibCST tree itself: no code generation and no second parse of a large module."""
    names: set[str] = set()

    def scan(body: Sequence[cst.BaseStatement]) -> None:
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        if isinstance(small.names, cst.ImportStar):
                            names.add("*")
                        else:
                            names.update(_alias_binding(a) for a in small.names)
                    elif isinstance(small, cst.Assign):
                        names.update(t.target.value for t in small.targets if isinstance(t.target, cst.Name))
                    elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        names.add(small.target.value)
            elif isinstance(stmt, (cst.ClassDef, cst.FunctionDef)):
                names.add(stmt.name.value)
            elif isinstance(stmt, cst.If):
                scan(_statements(stmt.body))
                if isinstance(stmt.orelse, cst.If):
                    scan([stmt.orelse])
                elif stmt.orelse is not None:
                    scan(_statements(stmt.orelse.body))
            elif isinstance(stmt, cst.Try):
                scan(_statements(stmt.body))
                for handler in stmt.handlers:
                    scan(_statements(handler.body))

    scan(module.body)
    return names


def _statements(block: cst.BaseSuite) -> Sequence[cst.BaseStatement]:
    """The statements of an indented block, or the one line of ``if x: y = 1`` (its small statements)."""
    if isinstance(block, cst.IndentedBlock):
        return block.body
    assert isinstance(block, cst.SimpleStatementSuite)
    return [cst.SimpleStatementLine(body=block.body)]


def _alias_binding(alias: cst.ImportAlias) -> str:
    """The top-level name ``import a.b as c`` (``c``) or ``import a.b`` (``a``) binds."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    name: cst.BaseExpression = alias.name
    while isinstance(name, cst.Attribute):
        name = name.value
    assert isinstance(name, cst.Name)
    return name.value


def _statement_binds(statement: str) -> set[str]:
    bound: set[str] = set()
    for node in ast.walk(ast.parse(statement)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Assign):     # a declaration: ``_T = TypeVar("_T")``
            bound.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return bound


def _is_import_text(statement: str) -> bool:
    return statement.startswith(("import ", "from ", "if "))


def _add_imports(module: cst.Module, imports: Sequence[str], used: set[str]) -> cst.Module:
    bound = _bound_names(module)
    needed = set(used)
    declarations = [s for s in imports if not _is_import_text(s) and _statement_binds(s) & needed
                    and not _statement_binds(s) <= bound]
    needed |= {n.id for s in declarations for n in ast.walk(ast.parse(s))       # what they are made of
               if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    guarded = [s for s in imports if s.startswith("if ") and _statement_binds(s) & needed
               and not _statement_binds(s) <= bound]
    if guarded:
        needed.add("TYPE_CHECKING")     # imported first, only when a guarded block is added
    plain = [s for s in imports if not s.startswith("if ") and _is_import_text(s) and _statement_binds(s) & needed
             and not _statement_binds(s) <= bound]
    if guarded:     # one block for all of them: "if TYPE_CHECKING:" followed by each indented import
        guarded = ["if TYPE_CHECKING:\n" + "\n".join(line for s in guarded for line in s.splitlines()[1:])]
    wanted = plain + guarded + declarations
    if not wanted:
        return module
    new = [cst.parse_statement(s + "\n") for s in wanted]
    body = list(module.body)
    index = _import_insertion_index(body)
    if index < len(body) and not body[index].leading_lines and not _is_import(body[index]):
        # keep the import block apart from the code that follows, as formatters do
        body[index] = body[index].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    if index > 0 and not _is_import(body[index - 1]):
        new[0] = new[0].with_changes(leading_lines=[cst.EmptyLine()])
    return module.with_changes(body=[*body[:index], *new, *body[index:]])


def _is_import(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and bool(stmt.body) and isinstance(
        stmt.body[0], (cst.Import, cst.ImportFrom))


def _import_insertion_index(body: Sequence[cst.BaseStatement]) -> int:
    """After the docstring, __future__ imports and the leading block of imports."""
    index = 0
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine):
            small = stmt.body[0] if stmt.body else None
            if isinstance(small, (cst.Import, cst.ImportFrom)):
                index = i + 1
                continue
            if i == 0 and isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString,
                                                                                 cst.ConcatenatedString)):
                index = 1
                continue
        break
    return index
