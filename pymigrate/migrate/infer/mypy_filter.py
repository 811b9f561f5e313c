"""Keep only annotations that do not raise the mypy error count (with check_untyped_defs).

Each new error is blamed on the slots that can cause it, narrowly first (what the message names), then,
if the same error is still there after a round, from the names on its line followed back through local
assignments, then from everything its function depends on. Blamed parameters fall back to their next
candidate, other blamed slots are dropped, and mypy runs again until no error is added. Blame is coarse,
so a last pass puts back what was taken away without fault, in groups split by module and then in halves.
"""

from __future__ import annotations

import ast
import copy
import os
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import TypeRef

if TYPE_CHECKING:
    from .engine import Choices
from .package import Module, module_from_text
from .static import error_lines, run_mypy

OBJECT = TypeRef("builtins.object")

_ERROR = re.compile(r"^(?P<path>.*?):(?P<line>\d+): error: (?P<msg>.*?)(\s+\[[\w-]+\])?$")
_CALLED = re.compile(r'(?:Argument (?P<pos>\d+) to|Argument "(?P<arg>\w+)" to|Missing positional argument[s]? .* in call to|'
                     r'Too many arguments for|Unexpected keyword argument "\w+" for) "(?P<name>\w+)"'
                     r'(?: of "(?P<owner>\w+)")?')
_QUOTED = re.compile(r'"(?P<name>[A-Za-z_]\w*)"')
_ATTR_ASSIGN = re.compile(r"^\s*(?P<obj>\w+)\.(?P<attr>\w+)\s*(:[^=]*)?=")
MAX_ATTEMPTS = 20
MAX_RETREATS = 2
ESCALATE_AFTER = 3
# restoring costs about one mypy build per culprit and per halving: the budget grows with what was lost
RESTORE_RUNS_BASE = 64
RESTORE_RUNS_PER_SLOT = 2


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


Blame = set[tuple[str, tuple[str, ...]]]     # ("param" | "return" | "attr", key)


def verified(modules: Sequence[Module], choices: Choices, target: tuple[int, int],
             callers: Sequence[Module] = ()) -> Choices:
    """The choices that add no mypy error to the package, nor to ``callers`` (its tests or examples,
    type-checked against the annotated package: a signature narrower than its use is refused there)."""
    callers = distinct(modules, callers)
    baseline = error_lines(run_mypy([*modules, *callers], None, target, fresh=False))
    original = copy.deepcopy(choices)
    checker = _Checker(modules, target, baseline, callers)
    kept = checker.narrow(choices)
    dump = os.environ.get("PYMIGRATE_INFER_DUMP")
    if dump:        # the restore pass's input, to study it alone (see docs/inference.md)
        import pickle
        with open(dump, "wb") as fh:
            pickle.dump((list(modules), original, kept, target, baseline), fh)
    return checker.restore(original, kept)


Lost = list[tuple[str, tuple[str, ...], TypeRef]]
_KINDS = ("param", "return", "attr")


def _table(choices: Choices, kind: str) -> dict[Any, TypeRef]:
    return {"param": choices.params, "return": choices.returns, "attr": choices.attributes}[kind]  # type: ignore[return-value]


def _next_candidate(original: Choices, kept: Choices,
                    item: tuple[str, tuple[str, ...], TypeRef]) -> tuple[str, tuple[str, ...], TypeRef]:
    """A parameter's or return's candidate after ``item``'s and before the one it keeps (nothing narrower
    is worth a try), else ``item`` itself."""
    kind, key, t = item
    options: list[TypeRef] = []
    if kind == "param":
        k = (key[0], key[1], key[2])
        options = [original.params[k], *original.fallbacks.get(k, [])] if k in original.params else []
        current = kept.params.get(k)
    elif kind == "return":
        r = (key[0], key[1])
        options = [original.returns[r], *original.return_fallbacks.get(r, [])] if r in original.returns else []
        current = kept.returns.get(r)
    else:
        return item
    if current in options:
        options = options[: options.index(current)]
    later = options[options.index(t) + 1:] if t in options else []
    return (kind, key, later[0]) if later else item


def _split(group: Lost) -> list[Lost]:
    """A failed group spanning several modules splits by module (errors are mostly local), else in halves."""
    by_module: dict[str, Lost] = {}
    for item in group:
        by_module.setdefault(item[1][0], []).append(item)
    if len(by_module) > 1:
        return list(by_module.values())
    return [group[: len(group) // 2], group[len(group) // 2:]]


def distinct(modules: Sequence[Module], callers: Sequence[Module]) -> list[Module]:
    """The callers that are neither package modules nor another caller's module name (mypy builds each
    module name once)."""
    names = {m.name for m in modules}
    paths = {m.path for m in modules}
    out = []
    for c in callers:
        if c.name not in names and c.path not in paths:
            names.add(c.name)
            out.append(c)
    return out


class _Checker:
    """Runs mypy on annotated candidates and blames the errors they add (in the package or its callers)."""

    def __init__(self, modules: Sequence[Module], target: tuple[int, int], baseline: Sequence[str],
                 callers: Sequence[Module] = ()) -> None:
        self.modules = modules
        self.callers = list(callers)
        self.target = target
        self.baseline = list(baseline)
        self.by_path = {str(m.path): m for m in [*modules, *callers]}
        self.caller_paths = {str(m.path) for m in callers}
        self.tolerated: Counter[tuple[str, str]] = Counter()     # callers' errors no slot is blamed for
        self.positions = positional_parameters(modules)
        self.seen: Counter[tuple[str, str]] = Counter()     # how often each error survived its blame
        self.debug = bool(os.environ.get("PYMIGRATE_INFER_DEBUG"))

    def added(self, choices: Choices) -> tuple[list[tuple[str, int, str]], dict[Path, str], list[str]]:
        """The errors ``choices`` add to the baseline (none when the count does not rise), the texts, and
        every error of the build."""
        from .engine import apply, render
        texts = apply(self.modules, render(self.modules, choices, self.target))
        errors = self._untolerated(error_lines(run_mypy([*self.modules, *self.callers], texts, self.target,
                                                        fresh=False)))
        if len(errors) <= len(self.baseline):
            return [], texts, errors
        added = new_errors(self.baseline, errors)
        if self.debug:
            print(f"verify: {len(errors)} errors, {len(added)} new, {choices.size()} slots", file=sys.stderr)
            print("\n".join(f"verify: {p}:{n}: {m}" for p, n, m in added), file=sys.stderr)
        # the count rose but no line parsed as a new error: an entry no module owns, so nothing is blamed
        return added or [("", 0, "")], texts, errors

    def blame(self, choices: Choices, added: list[tuple[str, int, str]], texts: dict[Path, str],
              widen: bool = True, floor: int = 0) -> Blame:
        """Each error blamed at its level; an error seen again reaches further (``widen``)."""
        blame: Blame = set()
        for path, line, msg in added:
            module = self.by_path.get(path) or self.by_path.get(str(Path(path).resolve()))
            if module is None:
                continue
            annotated = module_from_text(module, texts[module.path]) if module.path in texts else module
            level = self.seen[(path, msg)] if widen else floor
            self.seen[(path, msg)] += 1
            for wider in range(min(level, len(LEVELS) - 1), len(LEVELS)):
                found = _blame(choices, module, annotated, line, msg, LEVELS[wider], self.positions)
                if found:
                    blame |= found
                    break
        return blame

    def narrow(self, choices: Choices) -> Choices:
        """Blame and retreat until the annotated package has no more errors than the baseline."""
        from .engine import Choices
        strikes: Counter[tuple[str, ...]] = Counter()
        for attempt in range(MAX_ATTEMPTS):
            if not choices.size():
                return choices
            added, texts, _ = self.added(choices)
            if not added:
                return choices
            escalate = attempt >= MAX_ATTEMPTS - ESCALATE_AFTER    # slow to converge: whole files next
            blame = set() if escalate else self.blame(choices, added, texts)
            if not blame and self.tolerate(added):
                continue
            if not blame:      # nothing attributable: give up the files that gained errors
                names = {self.by_path[p].name for p, _, _ in added if p in self.by_path}
                blame = {(kind, k) for kind in _KINDS for k in _table(choices, kind) if k[0] in names}
            if not blame:
                return Choices()
            if self.debug:
                print(f"verify: blame {sorted(blame)}", file=sys.stderr)
            for kind, key in blame:
                strikes[key] += 1
                if kind == "param" and len(key) == 3:
                    if strikes[key] > MAX_RETREATS:     # a long list of fallbacks must not stall convergence
                        choices.fallbacks.pop((key[0], key[1], key[2]), None)
                    choices.retreat((key[0], key[1], key[2]))
                elif kind == "return" and len(key) == 2:
                    if strikes[key] > MAX_RETREATS:
                        choices.return_fallbacks.pop((key[0], key[1]), None)
                    choices.retreat_return((key[0], key[1]))
                else:
                    _table(choices, kind).pop(key, None)
            choices.unbind_type_vars()
        return Choices()

    def tolerate(self, added: list[tuple[str, int, str]]) -> bool:
        """A caller's error no slot can be blamed for (a test that misuses the API on purpose, a line
        naming no package function) joins the baseline when every unattributed error is a caller's: giving
        up the whole package for it would help no one. False when some error is the package's own."""
        if not added or any(path not in self.caller_paths for path, _, _ in added):
            return False
        self.tolerated.update((path, msg) for path, _, msg in added)
        return True

    def _untolerated(self, errors: list[str]) -> list[str]:
        """``errors`` without the tolerated ones: they leave no slack in the count for a new error of the
        package (counted into the baseline, a caller's error that later went away let one in)."""
        if not self.tolerated:
            return errors
        remaining = Counter(self.tolerated)
        out = []
        for e in errors:
            p = _parse(e)
            if p is not None and remaining[(p[0], p[2])] > 0:
                remaining[(p[0], p[2])] -= 1
            else:
                out.append(e)
        return out

    def restore(self, original: Choices, kept: Choices) -> Choices:
        """Put back the slots blame took away without fault.

        A group that adds errors loses the members its errors blame (narrowly) and is tried again; when
        the message names no member, the names on its line are followed back; when blame names only slots
        already kept, those are given up if that makes a larger group fit; otherwise it splits by module,
        then in halves.
        """
        lost: Lost = []
        # parameters first: when a parameter and the return of the helper passed to it conflict, the
        # parameter (usually seen running) is put back and the helper's return (often generic) stays out
        lost += [("param", k, t) for k, t in original.params.items() if kept.params.get(k) != t]
        lost += [("attr", k, t) for k, t in original.attributes.items() if k not in kept.attributes]
        lost += [("return", k, t) for k, t in original.returns.items() if kept.returns.get(k) != t]
        queue = [lost] if lost else []
        # what is kept may hold a new error that a fixed old one hides from the count: a trial is blamed
        # only for the errors it adds to those
        kept_errors = self.added(kept)[2]
        tried: set[tuple[str, tuple[str, ...], TypeRef]] = set()    # single candidates that failed alone
        runs = 0
        budget = RESTORE_RUNS_BASE + RESTORE_RUNS_PER_SLOT * len(lost)
        while queue and runs < budget:
            group = queue.pop()
            runs += 1
            trial = copy.deepcopy(kept)
            for kind, key, t in group:
                _table(trial, kind)[key] = t
            trial.unbind_type_vars()
            added, texts, errors = self.added(trial)
            if not added:
                kept, kept_errors = trial, errors
                continue
            added = new_errors(kept_errors, errors) or added
            culprits = self.blame(trial, added, texts, widen=False)
            members = {(item[0], item[1]) for item in group}
            if self.debug:
                print(f"verify: restore group of {len(group)}, culprits {sorted(culprits)[:6]}", file=sys.stderr)
            if not culprits & members:      # the message names no member: follow the line's names back
                culprits |= self.blame(trial, added, texts, widen=False, floor=1) & members or culprits
            rest = [item for item in group if (item[0], item[1]) not in culprits]
            if culprits and len(rest) == len(group) > len(culprits):
                # only kept slots are blamed (a helper's parameter every restored caller now trips over):
                # giving them up is cheaper than losing the whole group one halving at a time
                runs += 1
                moved = copy.deepcopy(trial)
                for kind, key in culprits:
                    _table(moved, kind).pop(key if kind != "param" else (key[0], key[1], key[2]), None)
                moved.unbind_type_vars()
                moved_added, _, moved_errors = self.added(moved)
                if not moved_added:
                    kept, kept_errors = moved, moved_errors
                    continue
            if culprits and rest and len(rest) < len(group):
                queue.append(rest)
                # tried last; a blamed parameter with a next candidate is tried with that one
                queue.insert(0, [_next_candidate(original, kept, item) for item in group
                                 if (item[0], item[1]) in culprits])
            elif len(group) == 1 and group[0][0] in ("param", "return"):
                tried.add(group[0])
                following = _next_candidate(original, kept, group[0])
                if following not in tried:
                    queue.append([following])
            elif len(group) > 1:
                queue += _split(group)[::-1]       # the queue pops from its end: first part first
        if self.debug:
            print(f"verify: restore used {runs} builds, {sum(map(len, queue))} slots left untried", file=sys.stderr)
        return kept


LEVELS = ("message", "line", "function", "body")


Positions = dict[tuple[str, str], tuple[list[str], str | None]]    # positional parameters, ``*args``


def positional_parameters(modules: Sequence[Module]) -> Positions:
    """What a call's arguments 1, 2... bind, by function (a method's receiver is not counted)."""
    out: Positions = {}
    for m in modules:
        for qualname, func in m.functions.items():
            args = func.node.args
            names = [a.arg for a in args.posonlyargs + args.args][1 if func.implicit_first is not None else 0:]
            out[(m.name, qualname)] = (names, args.vararg.arg if args.vararg else None)
    return out


def _positional(positions: Positions, key: tuple[str, str], n: int) -> str | None:
    names, star = positions.get(key, ([], None))
    return names[n - 1] if 0 < n <= len(names) else star


def _blame(choices: Choices, module: Module, annotated: Module, line: int, msg: str, level: str,
           positions: Positions | None = None) -> Blame:
    """The slots that can have caused one new error, at one level of reach.

    "message": the parameters of a package function the message names as called, the return of the
    function it is in, an attribute assigned on the line, the enclosing function's parameters named on the
    line whose type the message shows. "line": also the origins of every name on the line, followed through
    local assignments: parameters read, returns of package functions and attributes referenced.
    "function": the enclosing function's own slots and its class's attributes. "body": also every return and
    attribute its body refers to.
    """
    enclosing = _enclosing(annotated, line)
    name = module.name
    lines = annotated.source.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    words = set(re.findall(r"[A-Za-z_]\w*", source_line))
    out: Blame = set()
    called = _CALLED.search(msg)
    callee_params: Blame = set()
    if called:
        target, owner, argument = called.group("name"), called.group("owner"), called.group("arg")
        qual = f"{owner}.{target}" if owner else target
        callee = [k for k in choices.params
                  if k[1] == qual or k[1].endswith("." + qual) or k[1].endswith(f"{target}.__init__")]
        named = [k for k in callee if k[2] == argument]
        if not named and called.group("pos") and positions is not None:     # "Argument 2 to": the second one
            n = int(called.group("pos"))
            named = [k for k in callee if k[2] == _positional(positions, (k[0], k[1]), n)]
        callee_params = {("param", k) for k in (named or callee)}     # a keyword argument not named: **kwargs
        out |= callee_params
        # or the argument is at fault: what the package functions called on the line return
        out |= _called_returns(choices, source_line, exclude=target)
    if msg.startswith("Incompatible types in assignment"):
        out |= _called_returns(choices, source_line)      # the value, not only the variable, can be at fault
    if enclosing is not None and msg.startswith("Incompatible return value"):
        return out | {("return", k) for k in choices.returns if k == (name, enclosing)}
    assign = _ATTR_ASSIGN.match(source_line)
    if assign and enclosing is not None:
        cls = annotated.functions[enclosing].class_name
        if cls is not None:
            out |= {("attr", k) for k in choices.attributes if k == (name, f"{cls}.{assign['attr']}")}
    for quoted in set(_QUOTED.findall(msg)) & words:     # not a type or a suggestion the message quotes
        out |= {("attr", k) for k in choices.attributes if k[1].endswith("." + quoted)}
        if not quoted.startswith("__"):     # ``"__init__" of "C"``: every class has one, none returns a value
            out |= {("return", k) for k in choices.returns if k[1].split(".")[-1] == quoted}
    scope: ast.AST = annotated.functions[enclosing].node if enclosing is not None else annotated.tree
    if enclosing is not None:
        named = [k for k in choices.params if k[:2] == (name, enclosing) and k[2] in words]
        shown = _shown_types(msg)
        passed = {("param", k) for k in named if _short_members(choices.params[k]) in shown}
        out |= passed
        if any(choices.params[k] == OBJECT for _, k in passed):
            out -= callee_params    # an ``object`` tried first (a validator's) is handed on: it is at fault
    if level == "message":
        return out
    referenced = _origins(scope, words) | words
    if enclosing is not None:
        out |= {("param", k) for k in choices.params if k[:2] == (name, enclosing) and k[2] in referenced}
    out |= _referenced_slots(choices, referenced)
    if level == "line" or enclosing is None:
        return out
    cls = annotated.functions[enclosing].class_name
    out |= ({("param", k) for k in choices.params if k[:2] == (name, enclosing)}
            | {("return", k) for k in choices.returns if k == (name, enclosing)}
            | {("attr", k) for k in choices.attributes if k[0] == name and cls is not None
               and k[1].startswith(cls + ".")})
    if level == "function":
        return out
    body = {n.id for n in ast.walk(scope) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(scope) if isinstance(n, ast.Attribute)}
    return out | _referenced_slots(choices, body)


def _called_returns(choices: Choices, source_line: str, exclude: str = "") -> Blame:
    """Returns of the package functions called on ``source_line`` (a constructor's never is at fault)."""
    called = set(re.findall(r"([A-Za-z_]\w*)\s*\(", source_line)) - {exclude}
    return {("return", k) for k in choices.returns if k[1].split(".")[-1] in called
            and not k[1].endswith(".__init__")}


def _referenced_slots(choices: Choices, names: set[str]) -> Blame:
    """Returns of the package functions and the attributes that ``names`` can refer to."""
    return ({("return", k) for k in choices.returns if k[1].split(".")[-1] in names
             and not k[1].endswith(".__init__")}     # what a constructor call gives never comes from there
            | {("attr", k) for k in choices.attributes if k[1].rpartition(".")[2] in names})


def _shown_types(msg: str) -> list[frozenset[str]]:
    return [frozenset(p.strip().split("[")[0] for p in q.split(" | ")) for q in re.findall(r'"([^"]+)"', msg)]


def _short_members(t: TypeRef) -> frozenset[str]:
    return frozenset(m.name.rpartition(".")[2] for m in t.members())


def _origins(scope: ast.AST, words: set[str]) -> set[str]:
    """Every name and attribute the values of the locals among ``words`` are computed from, transitively."""
    assignments: list[tuple[set[str], set[str]]] = []
    for node in ast.walk(scope):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            used = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)} | {
                n.attr for n in ast.walk(node.value) if isinstance(n, ast.Attribute)}
            assignments.append((bound, used))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension, ast.withitem)):
            target = node.optional_vars if isinstance(node, ast.withitem) else node.target
            source = node.context_expr if isinstance(node, ast.withitem) else node.iter
            if target is not None:
                bound = {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
                used = {n.id for n in ast.walk(source) if isinstance(n, ast.Name)} | {
                    n.attr for n in ast.walk(source) if isinstance(n, ast.Attribute)}
                assignments.append((bound, used))
    found: set[str] = set()
    frontier = set(words)
    while frontier:
        new: set[str] = set()
        for bound, used in assignments:
            if bound & frontier:
                new |= used - found
        found |= new
        frontier = new - words
    return found


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
