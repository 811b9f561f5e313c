"""The Python reading of a fn: the same source read as a def, kept in the module beside the compiled fn.

The meaning of a compiled fn is its Python reading; native code is a speculation the wrapper takes
only for arguments of exactly the compiled classes (bindings.py), and any other call, or a native run
that cannot finish as the reading would (a 64-bit overflow, a recursion deeper than the stack allows),
runs the reading instead. The reading is the fn's own AST with:

- `var x = e` as a plain assignment and `var x: T` without a value as an annotation that is never
  evaluated (a read before the first assignment raises UnboundLocalError, as for the def);
- parameter and return annotations, conventions and `raises` dropped (superset names are never
  evaluated);
- an explicit copy wherever the superset's value semantics copy a list or a struct: a `var`
  parameter, an assignment, a return, an appended value, a list literal's items, a loop variable, the
  items of `[x] * n`, `a + b` and `xs.copy()`, an assignment to a `mut` parameter (which changes the
  caller's object, as the native write-back does);
- a call of another fn of the module going to that fn's reading while the module name still holds
  the compiled object (`(READING_f if f is COMPILED_f else f)(...)`, evaluated in the order of
  `f(...)`), and a method call `obj.m(...)` going to the method's reading bound to obj while
  `obj.m` is the compiled method, so a deep recursion stays Python-to-Python and uses no C stack.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Sequence

from pymigrate.codegen.ir import FuncIR, ModuleIR
from pymigrate.codegen.types import Ty

READING = "__pm_py_"
COMPILED = "__pm_fn_"
COPY = "__pm_copy"
ASSIGN = "__pm_assign"
BOUND = "__pm_bound_method"
ALIASED = "__pm_aliased"
STRUCT_FIELDS = "__pm_struct_fields"
STRUCT_REFS = "__pm_struct_refs"  # struct class -> its fields that hold lists or structs

# The helpers every module with fns defines before its first statement (plain Python, no imports).
PRELUDE = f'''
{STRUCT_FIELDS} = {{}}
{STRUCT_REFS} = {{}}

def {COPY}(value, /):
    """A value-semantics copy: a list item by item, a struct field by field, anything else itself.
    Only a list of exactly class list and an instance of exactly a struct's class are copied (the
    classes the native path takes): a subclass instance is shared as the def shares it, so its class,
    attributes, overridden methods and identity are what the def gives the caller."""
    if type(value) is list:
        return [{COPY}(item) for item in value]
    fields = {STRUCT_FIELDS}.get(type(value))
    if fields is None:
        return value
    new = object.__new__(type(value))
    for name in fields:
        object.__setattr__(new, name, {COPY}(getattr(value, name)))
    return new

{BOUND} = type({COPY}.__get__(0))  # the class of a bound method

def {ASSIGN}(target, value, /):
    """`target = value` for a mut parameter: the caller's list or struct object takes the value."""
    if isinstance(target, list) and isinstance(value, list):
        target[:] = {COPY}(value)
        return target
    fields = {STRUCT_FIELDS}.get(type(target))
    if fields is None or type(value) is not type(target):
        return {COPY}(value)
    for name in fields:
        setattr(target, name, {COPY}(getattr(value, name)))
    return target

def {ALIASED}(*values):
    """True when one list or struct object occurs twice among values and their items."""
    seen = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is list:
            if id(value) in seen:
                return True
            seen.add(id(value))
            if value and (type(value[0]) is list or type(value[0]) in {STRUCT_FIELDS}):
                stack.extend(value)
        elif kind in {STRUCT_FIELDS}:
            if id(value) in seen:
                return True
            seen.add(id(value))
            refs = {STRUCT_REFS}[kind]  # only fields that hold lists or structs can repeat an object
            if refs:
                stack.extend(getattr(value, name) for name in refs)
    return False
'''


UNCHANGED = "__pm_unchanged"
DEPS = "__pm_deps"
ABSENT = "__pm_absent"


def global_names(func: FuncIR) -> set[str]:
    """The module-level names fn `func` reads (constants, fns, structs, math, builtins)."""
    local = set(func.locals) | {p.name for p in func.params}
    skip = {id(n) for s in ast.walk(func.node) if isinstance(s, ast.AnnAssign) for n in ast.walk(s.annotation)}
    names = {
        n.id for stmt in func.node.body for n in ast.walk(stmt)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and id(n) not in skip
    }  # fmt: skip
    return names - local


def attribute_names(func: FuncIR) -> set[tuple[str, str]]:
    """The attributes of module-level names fn `func` reads (`math.sqrt`: ("math", "sqrt")): native code
    binds them at compile time, a def looks them up at each call."""
    local = set(func.locals) | {p.name for p in func.params}
    return {
        (n.value.id, n.attr) for stmt in func.node.body for n in ast.walk(stmt)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id not in local
    }  # fmt: skip


def module_dependencies(mir: ModuleIR) -> tuple[list[str], set[str]]:
    """The names any fn reads at module level, and the keys of the fns whose native code depends on
    one of them (directly or through the fns it calls natively)."""
    from pymigrate.codegen.lower import call_graph

    own = {f.key: global_names(f) for f in mir.all_functions() if not f.is_object}  # those look names up
    callees = call_graph(mir)
    guarded: set[str] = set()
    for key in own:
        stack, seen = [key], set()
        while stack:
            k = stack.pop()
            if k in seen or k not in own:
                continue
            seen.add(k)
            if own[k]:
                guarded.add(key)
                break
            stack += callees.get(k, ())
    return sorted(set().union(*own.values())), guarded


BUILTINS = "__pm_builtins"
WATCHED = "__pm_watched"  # the dict of the module whose attributes the fns read


def dependency_glue(mir: ModuleIR, register: str, slots: tuple[int, int, int, int]) -> str:
    """Module-end glue: the objects the names hold once the module ran (in the module, else in its
    builtins; and the attributes the fns read of them, `math.sqrt`), the test that they still do, and the
    dicts whose versions the wrappers watch (bindings.Bindings._binding_guard): the module's, its
    builtins' and the one of the module whose attributes the fns read (math)."""
    names, _ = module_dependencies(mir)
    attrs = sorted(set().union(*(attribute_names(f) for f in mir.all_functions() if not f.is_object)))
    slot_check, slot_dict, slot_builtins, slot_attrs = slots
    return (
        f"{ABSENT} = object()\n"  # what a name not bound in the module (a builtin) holds
        f"{BUILTINS} = __builtins__ if isinstance(__builtins__, dict) else vars(__builtins__)\n"
        f"{DEPS} = {{name: globals().get(name, {ABSENT}) for name in {tuple(names)!r}}}\n"
        f"{DEPS}_builtins = {{name: {BUILTINS}.get(name, {ABSENT}) for name, held in {DEPS}.items() "
        f"if held is {ABSENT}}}\n"
        f"{DEPS}_attrs = {{(name, attr): getattr({DEPS}.get(name, {ABSENT}), attr, {ABSENT}) "
        f"for name, attr in {tuple(attrs)!r}}}\n"
        f"def {UNCHANGED}():\n"
        f"    scope = globals()\n"
        f"    return (all(scope.get(name, {ABSENT}) is held for name, held in {DEPS}.items())\n"
        f"            and all({BUILTINS}.get(name, {ABSENT}) is held for name, held in {DEPS}_builtins.items())\n"
        f"            and all(getattr(scope.get(name, {ABSENT}), attr, {ABSENT}) is held\n"
        f"                    for (name, attr), held in {DEPS}_attrs.items()))\n"
        f"{register}({slot_check}, {UNCHANGED})\n"
        f"{register}({slot_builtins}, {BUILTINS})\n"
        f"{WATCHED} = next((d for d in (getattr(held, '__dict__', None) for held in map({DEPS}.get, "
        f"{tuple(sorted({n for n, _ in attrs}))!r})) if type(d) is dict), {{}})\n"
        f"{register}({slot_attrs}, {WATCHED})\n"
        f"{register}({slot_dict}, globals())\n"
    )


def reading_name(key: str) -> str:
    return READING + key.replace(".", "__")


def compiled_name(key: str) -> str:
    return COMPILED + key.replace(".", "__")


def _is_value_type(ty: Ty | None) -> bool:
    """A list or a struct: a value the superset copies where Python would share it."""
    return ty is not None and ty.kind in ("List", "Struct")


def _nested(ty: Ty | None) -> bool:
    """A list whose items are lists or structs: Python's shallow list operations share those."""
    return ty is not None and ty.kind == "List" and _is_value_type(ty.elem)


class _Reader(ast.NodeTransformer):
    def __init__(self, mir: ModuleIR, func: FuncIR, origin: dict[int, ast.AST]) -> None:
        self.mir = mir
        self.func = func
        self.origin = origin  # id of a copied node -> the checked node it copies
        self.mut_params = {p.name for p in func.params if p.convention == "mut" and _is_value_type(p.ty)}
        self.counter = 0  # numbers the walrus names of method calls

    # ------------------------------------------------------------------ helpers
    def ty(self, node: ast.AST) -> Ty | None:
        orig = self.origin.get(id(node))
        return None if orig is None else self.mir.types.get(id(orig))

    def call_info(self, node: ast.AST) -> object:
        orig = self.origin.get(id(node))
        return None if orig is None else self.mir.calls.get(id(orig))

    def copied(self, node: ast.expr, ty: Ty | None = None) -> ast.expr:
        """node, copied when the superset would copy its value (a list or struct that is not fresh)."""
        if not _is_value_type(ty if ty is not None else self.ty(node)):
            return node
        if isinstance(node, (ast.List, ast.BinOp, ast.Call)):
            return node  # a new value (its items copied where they need to be, see below)
        return _call(COPY, [node], node)

    # ------------------------------------------------------------------ statements
    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.body = _flatten([self.visit(s) for s in node.body])
        for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs, node.args.vararg, node.args.kwarg):
            if a is not None:
                a.annotation = None
        node.returns = None
        node.decorator_list = []
        entry: list[ast.stmt] = []
        for p in self.func.params:
            if p.convention == "var" and _is_value_type(p.ty):
                name = ast.Name(id=p.name, ctx=ast.Load())
                entry.append(ast.Assign(targets=[ast.Name(id=p.name, ctx=ast.Store())], value=_call(COPY, [name], node)))
        doc = 1 if node.body and _is_docstring(node.body[0]) else 0
        for s in entry:
            ast.copy_location(s, node.body[0] if node.body else node)
            for n in ast.walk(s):
                ast.copy_location(n, s)
        node.body[doc:doc] = entry
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.stmt:
        if node.value is None:
            # `var x: T`: makes x local without a value and without evaluating T
            node.annotation = ast.copy_location(ast.Constant(value=""), node.annotation)
            return node
        assign = ast.Assign(targets=[node.target], value=node.value, type_comment=None)
        return self.visit_Assign(ast.copy_location(assign, node))

    def visit_Assign(self, node: ast.Assign) -> ast.stmt:
        value = self.visit(node.value)
        target = node.targets[0]
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
            value.elts = [self.copied(v, self.ty(t)) for t, v in zip(target.elts, value.elts)]
        else:
            value = self.copied(value, self.ty(target) or self.ty(node.value))
        node.targets = [self.visit(t) for t in node.targets]
        node.value = value
        if isinstance(target, ast.Name) and target.id in self.mut_params:
            # the caller's object takes the value, as the native write-back gives it
            load = ast.copy_location(ast.Name(id=target.id, ctx=ast.Load()), target)
            node.value = _call(ASSIGN, [load, value], node.value)
        return node

    def visit_Return(self, node: ast.Return) -> ast.Return:
        if node.value is not None:
            node.value = self.copied(self.visit(node.value), self.func.ret)
        return node

    def visit_For(self, node: ast.For) -> ast.For:
        node.iter = self.visit(node.iter)
        node.body = _flatten([self.visit(s) for s in node.body])
        node.orelse = _flatten([self.visit(s) for s in node.orelse])
        it = self.ty(node.iter)
        if isinstance(node.target, ast.Name) and it is not None and it.kind == "List" and _is_value_type(it.elem):
            load = ast.copy_location(ast.Name(id=node.target.id, ctx=ast.Load()), node.target)
            store = ast.copy_location(ast.Name(id=node.target.id, ctx=ast.Store()), node.target)
            fresh = ast.copy_location(ast.Assign(targets=[store], value=_call(COPY, [load], node.target)), node.target)
            node.body.insert(0, fresh)
        return node

    # ------------------------------------------------------------------ expressions
    def visit_List(self, node: ast.List) -> ast.expr:
        ty = self.ty(node)
        node.elts = [self.visit(e) for e in node.elts]
        if ty is not None and ty.kind == "List":
            node.elts = [self.copied(e, ty.elem) for e in node.elts]
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        ty = self.ty(node)
        self.generic_visit(node)
        if _nested(ty):
            return _call(COPY, [node], node)  # `[x] * n` and `a + b` copy each item
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        info = self.call_info(node)
        self.generic_visit(node)
        kind = getattr(info, "kind", None)
        target = getattr(info, "target", None)
        if kind == "list_method" and target == "append" and node.args:
            recv = self.origin.get(id(node.func.value)) if isinstance(node.func, ast.Attribute) else None
            lty = self.mir.types.get(id(recv)) if recv is not None else None
            node.args[0] = self.copied(node.args[0], lty.elem if lty is not None and lty.kind == "List" else None)
        elif kind == "list_method" and target == "copy" and isinstance(node.func, ast.Attribute):
            recv = self.origin.get(id(node.func.value))
            if _nested(self.mir.types.get(id(recv)) if recv is not None else None):
                return _call(COPY, [node], node)
        elif kind == "method" and isinstance(node.func, ast.Attribute) and isinstance(target, str):
            return self.method_call(node, node.func, target)
        elif kind == "fn" and isinstance(node.func, ast.Name) and isinstance(target, str):
            # calls between fns stay in the readings while the module name holds the compiled fn
            name = node.func
            pick = ast.IfExp(
                test=ast.Compare(left=_load(name.id, name), ops=[ast.Is()], comparators=[_load(compiled_name(target), name)]),
                body=_load(reading_name(target), name),
                orelse=_load(name.id, name),
            )
            node.func = ast.copy_location(pick, name)
        return node


    def method_call(self, node: ast.Call, attr: ast.Attribute, target: str) -> ast.expr:
        """`obj.m(args)` as `(READING(o, args) if b is the compiled method bound to o else b(args))`, with o
        and b bound by walrus in CPython's order (obj, then the attribute, then the arguments): a recursion
        through methods stays Python-to-Python, and no call is added that could hit the recursion limit
        where the def does not."""
        self.counter += 1
        o, b = f"__pm_o{self.counter}", f"__pm_b{self.counter}"
        lookup = ast.NamedExpr(
            target=ast.Name(id=b, ctx=ast.Store()),
            value=ast.Attribute(value=ast.NamedExpr(target=ast.Name(id=o, ctx=ast.Store()), value=attr.value),
                                attr=attr.attr, ctx=ast.Load()),
        )
        test = ast.BoolOp(op=ast.And(), values=[
            ast.Compare(left=ast.Attribute(value=lookup, attr="__class__", ctx=ast.Load()), ops=[ast.Is()],
                        comparators=[_load(BOUND, attr)]),
            ast.Compare(left=ast.Attribute(value=_load(b, attr), attr="__func__", ctx=ast.Load()), ops=[ast.Is()],
                        comparators=[_load(compiled_name(target), attr)]),
            ast.Compare(left=ast.Attribute(value=_load(b, attr), attr="__self__", ctx=ast.Load()), ops=[ast.Is()],
                        comparators=[_load(o, attr)]),
        ])
        native = ast.Call(func=_load(reading_name(target), attr), args=[_load(o, attr), *node.args],
                          keywords=node.keywords)
        other = ast.Call(func=_load(b, attr), args=copy.deepcopy(node.args), keywords=copy.deepcopy(node.keywords))
        pick = ast.IfExp(test=test, body=native, orelse=other)
        for n in ast.walk(pick):
            if "lineno" in n._attributes and not hasattr(n, "lineno"):
                ast.copy_location(n, node)
        return ast.copy_location(pick, node)


def _load(name: str, where: ast.AST) -> ast.Name:
    return ast.copy_location(ast.Name(id=name, ctx=ast.Load()), where)


def _call(helper: str, args: list[ast.expr], where: ast.AST) -> ast.Call:
    call = ast.Call(func=_load(helper, where), args=args, keywords=[])
    return ast.copy_location(call, where)


def _flatten(stmts: Sequence[object]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for s in stmts:
        if isinstance(s, list):
            out += s
        elif isinstance(s, ast.stmt):
            out.append(s)
    return out


def _is_docstring(s: ast.stmt) -> bool:
    return isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str)


def reading_def(mir: ModuleIR, func: FuncIR) -> list[ast.stmt]:
    """The def `READING<key>` reading fn `func` as Python, with the fn's name, qualname and lines."""
    node = copy.deepcopy(func.node)
    origin = {id(c): o for o, c in zip(ast.walk(func.node), ast.walk(node))}
    reader = _Reader(mir, func, origin)
    fdef = reader.visit_FunctionDef(node)
    name = reading_name(func.key)
    fdef.name = name
    fixed = ast.parse(
        f"{name}.__code__ = {name}.__code__.replace(co_name={func.name!r}, co_qualname={func.key!r})\n"
        f"{name}.__name__ = {func.name!r}\n{name}.__qualname__ = {func.key!r}\n"
    ).body
    for s in fixed:
        for n in ast.walk(s):
            if "lineno" in n._attributes:
                ast.copy_location(n, func.node)
    ast.fix_missing_locations(fdef)
    return [fdef, *fixed]
