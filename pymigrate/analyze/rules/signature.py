"""PM2xx annotations and the PM3xx blockers visible in a function's header.

Produces the function's `Signature` (what callers and the body checker use) and the findings:
missing annotations (and whether the function alone tells the type), `Any` and unsupported types,
variadic parameters, non-literal defaults, decorators, async, generators.
"""

from __future__ import annotations

import ast

from pymigrate.analyze import typesys as T
from pymigrate.analyze.context import ModuleContext
from pymigrate.analyze.facts import FunctionFacts, literal_type
from pymigrate.analyze.index import ModuleIndex
from pymigrate.analyze.model import Finding
from pymigrate.analyze.rules.fn_body import Param, Signature


def signature(ctx: ModuleContext, fn: FunctionFacts, structs: set[str], is_method: bool, index: ModuleIndex
              ) -> tuple[Signature, list[Finding], list[Finding]]:
    """(signature, annotation findings PM2xx, blockers PM3xx)."""
    node = fn.node
    args = node.args
    notes: list[Finding] = []
    blockers: list[Finding] = []
    if isinstance(node, ast.AsyncFunctionDef):
        blockers.append(ctx.finding("PM306", node.lineno, node.col_offset, name=node.name, construct="async def"))
    for deco in node.decorator_list:
        blockers.append(ctx.at("PM307", deco, name=node.name, decorator="@" + ast.unparse(deco)))
    for extra, star in ((args.vararg, "*"), (args.kwarg, "**")):
        if extra is not None:
            blockers.append(ctx.at("PM304", extra, name=star + extra.arg))
    if index.scope(node).has_yield:
        blockers.append(ctx.finding("PM305", node.lineno, node.col_offset, name=node.name))

    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    params: list[Param] = []
    for position, (arg, default) in enumerate(zip(positional, defaults)):
        if position == 0 and is_method:
            params.append(Param(arg.arg, T.UNKNOWN, default is not None, arg))
            continue
        default_type = literal_type(default) if default is not None else None
        if default is not None and default_type is None:
            blockers.append(ctx.at("PM314", arg, name=arg.arg,
                                   reason=f"default `{ast.unparse(default)}` is not an int, float, bool or str literal"))
        if arg.annotation is None:
            if default_type is not None:
                notes.append(ctx.at("PM201", arg, name=arg.arg, type=default_type))
                kind = default_type
            else:
                notes.append(ctx.at("PM202", arg, name=arg.arg))
                kind = T.UNKNOWN
        else:
            kind = _checked(ctx, arg.annotation, f"parameter {arg.arg}", structs, blockers)
            if default_type is not None and not T.vague(kind) and default_type != kind:
                blockers.append(ctx.at("PM314", arg, name=arg.arg,
                                       reason=f"default is `{default_type}`, annotation is `{T.show(kind)}`"))
        params.append(Param(arg.arg, kind, default is not None, arg))
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):  # compiled as CPython binds them
        if arg.annotation is None:
            notes.append(ctx.at("PM202", arg, name=arg.arg))
            kind = T.UNKNOWN
        else:
            kind = _checked(ctx, arg.annotation, f"parameter {arg.arg}", structs, blockers)
        params.append(Param(arg.arg, kind, kw_default is not None, arg))
    if node.returns is None:
        returns, annotated = T.UNKNOWN, False
    else:
        returns = _checked(ctx, node.returns, f"{node.name}() return", structs, blockers, allow_none=True)
        annotated = True
    return Signature(params, returns, annotated), notes, blockers


def _checked(ctx: ModuleContext, ann: ast.expr, where: str, structs: set[str], blockers: list[Finding],
             allow_none: bool = False) -> str:
    result = T.annotation(ann, structs)
    if result.any:
        blockers.append(ctx.at("PM311", ann, where=where))
        return T.BAD
    if result.type is None or (result.type == T.NONE and not allow_none):
        blockers.append(ctx.at("PM312", ann, where=where, type=result.text))
        return T.BAD
    return result.type


def return_notes(ctx: ModuleContext, fn: FunctionFacts, return_types: list[str], falls_through: bool
                 ) -> list[Finding]:
    """PM203/PM204 for a function without a return annotation, from what its body returns."""
    node = fn.node
    kinds = set(return_types)
    if falls_through:
        kinds.add(T.NONE)
    if len(kinds) == 1 and not T.vague(next(iter(kinds))):
        return [ctx.finding("PM203", node.lineno, node.col_offset, name=node.name, type=T.show(kinds.pop()))]
    return [ctx.finding("PM204", node.lineno, node.col_offset, name=node.name)]
