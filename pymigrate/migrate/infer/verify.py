"""Keep only annotations that do not raise the mypy error count (with check_untyped_defs).

Each new error is blamed on the slots that can cause it: the return of the function it is in ("Incompatible
return value"), the parameters of the function it names ('Argument 1 to "f"'), an attribute assigned on its
line, else every slot of the enclosing function, else every slot of the file. Blamed slots are dropped and
mypy runs again until no error is added (in the worst case nothing is kept).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from .model import TypeRef
from .package import Module, module_from_text
from .static import error_lines, run_mypy

_ERROR = re.compile(r"^(?P<path>.*?):(?P<line>\d+): error: (?P<msg>.*?)(\s+\[[\w-]+\])?$")
_CALLED = re.compile(r'(?:Argument \d+ to|Missing positional argument[s]? .* in call to|Too many arguments for|'
                     r'Unexpected keyword argument "\w+" for) "(?P<name>\w+)"')
_QUOTED = re.compile(r'"(?P<name>[A-Za-z_]\w*)"')
_ATTR_ASSIGN = re.compile(r"^\s*(?P<obj>\w+)\.(?P<attr>\w+)\s*(:[^=]*)?=")
MAX_ATTEMPTS = 8


def _parse(error: str) -> tuple[str, int, str] | None:
    m = _ERROR.match(error)
    if m is None:
        return None
    return m.group("path"), int(m.group("line")), m.group("msg")


def new_errors(baseline: Sequence[str], errors: Sequence[str]) -> list[tuple[str, int, str]]:
    """Errors beyond the baseline, matched by (file, message) so that shifted lines still match."""
    remaining = Counter((p[0], p[2]) for p in map(_parse, baseline) if p is not None)
    out = []
    for e in errors:
        p = _parse(e)
        if p is None:
            continue
        if remaining[(p[0], p[2])] > 0:
            remaining[(p[0], p[2])] -= 1
        else:
            out.append(p)
    return out


def verified(modules: Sequence[Module], choices: object, target: tuple[int, int]) -> object:
    from .engine import Choices, apply, render
    assert isinstance(choices, Choices)
    baseline = error_lines(run_mypy(modules, None, target))
    by_path = {str(m.path): m for m in modules}
    for _ in range(MAX_ATTEMPTS):
        if not choices.size():
            return choices
        texts = apply(modules, render(modules, choices, target))
        errors = error_lines(run_mypy(modules, texts, target))
        if len(errors) <= len(baseline):
            return choices
        blamed = 0
        for path, line, msg in new_errors(baseline, errors):
            module = by_path.get(path) or by_path.get(str(Path(path).resolve()))
            if module is None:
                continue
            annotated = module_from_text(module, texts[module.path]) if module.path in texts else module
            blamed += _blame(choices, module, annotated, line, msg, modules)
        if not blamed:
            return Choices()
    return Choices()


def _drop(mapping: dict, keys: list) -> int:  # type: ignore[type-arg]
    for k in keys:
        del mapping[k]
    return len(keys)


def _blame(choices: object, module: Module, annotated: Module, line: int, msg: str,
           modules: Sequence[Module]) -> int:
    from .engine import Choices
    assert isinstance(choices, Choices)
    enclosing = _enclosing(annotated, line)
    name = module.name
    dropped = 0
    called = _CALLED.search(msg)
    if called:
        target = called.group("name")
        dropped += _drop(choices.params, [k for k in choices.params
                                          if k[1].split(".")[-1] == target or k[1].endswith(f"{target}.__init__")])
        dropped += _drop(choices.returns, [k for k in choices.returns if k[1].split(".")[-1] == target])
    if enclosing is not None and msg.startswith("Incompatible return value"):
        dropped += _drop(choices.returns, [k for k in choices.returns if k == (name, enclosing)])
    source_line = annotated.source.splitlines()[line - 1] if 0 < line <= len(annotated.source.splitlines()) else ""
    assign = _ATTR_ASSIGN.match(source_line)
    if assign and enclosing is not None:
        cls = annotated.functions[enclosing].class_name
        if cls is not None:
            dropped += _drop(choices.attributes, [k for k in choices.attributes if k == (name, f"{cls}.{assign['attr']}")])
    for quoted in _QUOTED.findall(msg):
        dropped += _drop(choices.attributes, [k for k in choices.attributes if k[1].endswith("." + quoted)])
        dropped += _drop(choices.returns, [k for k in choices.returns if k[1].split(".")[-1] == quoted])
    if dropped:
        return dropped
    if enclosing is not None:
        dropped += _drop(choices.params, [k for k in choices.params if k[:2] == (name, enclosing)])
        dropped += _drop(choices.returns, [k for k in choices.returns if k == (name, enclosing)])
        cls = annotated.functions[enclosing].class_name
        dropped += _drop(choices.attributes, [k for k in choices.attributes if k[0] == name and cls is not None
                                              and k[1].startswith(cls + ".")])
    if dropped:
        return dropped
    dropped += _drop(choices.params, [k for k in choices.params if k[0] == name])
    dropped += _drop(choices.returns, [k for k in choices.returns if k[0] == name])
    return dropped + _drop(choices.attributes, [k for k in choices.attributes if k[0] == name])


def _enclosing(module: Module, line: int) -> str | None:
    best: str | None = None
    best_start = -1
    for qualname, func in module.functions.items():
        start = func.node.lineno
        end = func.node.end_lineno or start
        if start <= line <= end and start > best_start:
            best, best_start = qualname, start
    return best


__all__ = ["verified", "new_errors", "TypeRef"]
