"""What changes a value in place, and which variable a change reaches.

One answer for the analyzer's rules (aliasing, fn bodies), the compiler's probe and checker, the
lowering and the migrator's scan, so that "this call mutates its receiver" means the same thing
to the stage that blocks an upgrade and to the stage that compiles it.
"""

from __future__ import annotations

import ast

LIST_MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"})
"""The methods of `list` (the compiled `List`) that change the list they are called on."""

MUTATING_METHODS = LIST_MUTATORS | frozenset(
    {
        "update",
        "setdefault",
        "popitem",
        "add",
        "discard",
        "difference_update",
        "intersection_update",
        "symmetric_difference_update",
        "appendleft",
        "extendleft",
        "popleft",
        "rotate",
        "__setitem__",
        "__delitem__",
        "__iadd__",
        "__imul__",
    }
)
"""Methods of the builtin containers (list, dict, set, deque) that change their receiver."""


def root_name(e: ast.expr) -> str | None:
    """The variable an attribute/subscript chain starts from: `p` in `p.a[0].b`; None otherwise."""
    while isinstance(e, (ast.Attribute, ast.Subscript)):
        e = e.value
    return e.id if isinstance(e, ast.Name) else None


def spread_through_calls(mutated: dict[str, set[str]], handed: list[tuple[str, str, str, str]]) -> None:
    """A parameter handed to a parameter another function changes in place is changed too, to a fixed point.

    `mutated` maps each function to its parameters changed in place (updated here); `handed` lists
    (caller, caller's parameter, callee, callee's parameter). One rule for the probe and the migrator, so
    the upgrade the probe checks is the one the migrator writes.
    """
    changed = True
    while changed:
        changed = False
        for caller, mine, callee, theirs in handed:
            if theirs in mutated.get(callee, ()) and mine not in mutated.setdefault(caller, set()):
                mutated[caller].add(mine)
                changed = True


def changed_while_iterated(body: list[ast.stmt], iterated: ast.expr) -> ast.AST | None:
    """Where the loop body may change the list it iterates (Python's iterator sees each change; a
    compiled loop need not): a store into it, a mutating method, a rebinding, or passing it to a call."""
    root = iterated
    while isinstance(root, (ast.Attribute, ast.Subscript)):
        root = root.value
    if not isinstance(root, ast.Name):
        return iterated
    name = root.id
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, (ast.Store, ast.Del)):
                return node
            if isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, (ast.Store, ast.Del)):
                base = node.value
                while isinstance(base, (ast.Attribute, ast.Subscript)):
                    base = base.value
                if isinstance(base, ast.Name) and base.id == name:
                    return node
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in LIST_MUTATORS \
                        and isinstance(func.value, ast.Name) and func.value.id == name:
                    return node
                if not (isinstance(func, ast.Name) and func.id == "len") and any(
                        isinstance(a, ast.Name) and a.id == name for a in node.args):
                    return node
    return None


def iterated_changed(iterated: str) -> str:
    """Why a loop over a list the body may change stays Python (the analyzer's and the probe's one wording)."""
    return (f"`{iterated}` may change while a for loop iterates over it; Python's iterator sees each change, "
            "a compiled loop need not: keep this a def")
