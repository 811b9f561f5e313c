"""Abstract methods take their types from the package's implementations of them.

The implementations of a method of an abstract base are its subclasses'; those of a Protocol's method are
the classes that define all of the Protocol's methods (structural typing: they need not name it).

A method whose body is only a docstring, ``...``, ``pass`` or ``raise NotImplementedError`` is never run
and never returns anything, so no evidence reaches it; its subclasses' implementations have some. A
parameter all implementations agree on takes their type (an override must accept at least what the base
does, so agreement is the safe case); the return is the union of theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .model import TypeRef, union
from .package import Function, Module, all_params, base_name, is_placeholder, protocol_classes

if TYPE_CHECKING:
    from .engine import Choices


def fill_from_implementations(modules: Sequence[Module], choices: Choices) -> None:
    subclasses: dict[str, list[tuple[Module, str]]] = {}      # base short name -> (module, class qualname)
    protocols = protocol_classes(modules)
    for module in modules:
        for qualname, cls in module.classes.items():
            for base in cls.bases:
                subclasses.setdefault(base_name(base), []).append((module, qualname))
    for module in modules:
        for qualname, func in module.functions.items():
            if func.class_name is None or not func.is_method or not is_placeholder(func.node):
                continue
            member = qualname.rpartition(".")[2]        # a setter's is ``name@setter``
            classes = subclasses.get(func.class_name.rpartition(".")[2], [])
            if (module.name, func.class_name) in protocols:
                known = {(m.name, cls) for m, cls in classes}
                classes = classes + [(m, cls) for m, cls in _structural(modules, module, func.class_name, protocols)
                                     if (m.name, cls) not in known]
            impls = [(m, m.functions[f"{cls}.{member}"]) for m, cls in classes if f"{cls}.{member}" in m.functions]
            impls = [(m, f) for m, f in impls if not is_placeholder(f.node)]
            if impls:
                _adopt(module, func, impls, choices)


def _structural(modules: Sequence[Module], module: Module, protocol: str,
                protocols: set[tuple[str, str]]) -> list[tuple[Module, str]]:
    """The classes that implement every method of a Protocol without naming it as a base (what makes them
    its implementations), those of the protocol's own module when it has any."""
    members = {q.rpartition(".")[2] for q, f in module.functions.items() if f.class_name == protocol}
    found = [(m, cq) for m in modules for cq in m.classes if (m.name, cq) not in protocols
             and all(f"{cq}.{member}" in m.functions for member in members)]
    return [(m, cq) for m, cq in found if m is module] or found


def _adopt(module: Module, func: Function, impls: list[tuple[Module, Function]], choices: Choices) -> None:
    for i, arg in enumerate(all_params(func.node)):
        key = (module.name, func.qualname, arg.arg)
        if arg.annotation is not None or (i == 0 and arg.arg == func.implicit_first) or key in choices.params:
            continue
        seen = {choices.params.get((m.name, f.qualname, arg.arg)) for m, f in impls}
        if len(seen) == 1:
            t = seen.pop()
            if t is not None:
                choices.params[key] = t
    key2 = (module.name, func.qualname)
    if func.node.returns is None and key2 not in choices.returns:
        returns: list[TypeRef | None] = [choices.returns.get((m.name, f.qualname)) for m, f in impls]
        if all(r is not None for r in returns):
            t = union(r for r in returns if r is not None)
            if t is not None:
                choices.returns[key2] = t
