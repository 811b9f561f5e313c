"""What "exact" means in the inference benchmark: two annotations are equal after this normalization.

- string annotations are parsed (``"Version"`` == ``Version``);
- dotted names keep their last part (``typing.List`` -> ``List``, ``packaging.version.Version`` -> ``Version``);
- typing aliases of builtins become the builtin (``List`` -> ``list``, ``Dict`` -> ``dict``, ``Text`` -> ``str``...);
- ``Optional[X]`` -> ``X | None``; ``Union[A, B]`` -> ``A | B``; unions are flattened, deduplicated and sorted;
- ``Never`` is ``NoReturn`` (the typing spec makes them the same type);
- numeric promotion of the typing spec: ``int | float`` == ``float`` (a float annotation accepts int);
- the package's own type aliases (``NumberOrString: TypeAlias = float | str``, ``Interval = tuple[Lower, Upper]``,
  ``type X = ...``) are expanded on both sides.
Nothing else is equal: ``Iterator[str]`` != ``Generator[str, None, None]``, ``object`` != ``Any``.
"""

from __future__ import annotations

import ast

_ALIASES = {"List": "list", "Dict": "dict", "Set": "set", "FrozenSet": "frozenset", "Tuple": "tuple",
            "Type": "type", "Text": "str", "Deque": "deque", "DefaultDict": "defaultdict",
            "OrderedDict": "OrderedDict", "Counter": "Counter", "ChainMap": "ChainMap",
            "Never": "NoReturn"}


def normalize(text: str, aliases: dict[str, ast.expr] | None = None) -> str:
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return text.strip()
    return _norm(tree, aliases or {}, 0)


def _members(node: ast.expr, aliases: dict[str, ast.expr], depth: int) -> list[str]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _members(node.left, aliases, depth) + _members(node.right, aliases, depth)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return _members(ast.parse(node.value, mode="eval").body, aliases, depth)
        except SyntaxError:
            return [node.value]
    if isinstance(node, ast.Subscript):
        base = _name(node.value)
        if base in ("Optional", "Union"):
            items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            out = [m for item in items for m in _members(item, aliases, depth)]
            return out + (["None"] if base == "Optional" else [])
    name = _name(node)
    if name in aliases and depth < 10:
        return _members(aliases[name], aliases, depth + 1)
    return [_single(node, aliases, depth)]


def _norm(node: ast.expr, aliases: dict[str, ast.expr], depth: int) -> str:
    members = sorted(set(_members(node, aliases, depth)))
    names = set(members)
    if "float" in names:
        members = [m for m in members if m not in ("int", "bool")]
    if "int" in names:
        members = [m for m in members if m != "bool"]
    if "complex" in names:
        members = [m for m in members if m not in ("int", "float", "bool")]
    return " | ".join(members)


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _single(node: ast.expr, aliases: dict[str, ast.expr], depth: int) -> str:
    if isinstance(node, ast.Constant):
        return "None" if node.value is None else ("..." if node.value is Ellipsis else repr(node.value))
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = _name(node) or ""
        return _ALIASES.get(name, name)
    if isinstance(node, ast.Subscript):
        base = _single(node.value, aliases, depth)
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base == "Literal":
            return "Literal[" + ", ".join(sorted(ast.unparse(i) for i in items)) + "]"
        return base + "[" + ", ".join(_norm(i, aliases, depth) for i in items) + "]"
    if isinstance(node, ast.List):
        return "[" + ", ".join(_norm(i, aliases, depth) for i in node.elts) + "]"
    if isinstance(node, ast.Tuple):
        return "(" + ", ".join(_norm(i, aliases, depth) for i in node.elts) + ")"
    return ast.unparse(node)


_GENERICS = {"Union", "Optional", "Callable", "Tuple", "Dict", "List", "Set", "FrozenSet", "Type", "Literal",
             "tuple", "list", "dict", "set", "frozenset", "type", "Sequence", "Mapping", "Iterable", "Iterator",
             "Annotated"}


def type_aliases(source: str) -> dict[str, ast.expr]:
    """Module-level aliases: ``X: TypeAlias = ...``, ``type X = ...``, ``X = Union[...]``/``A | B``."""
    out: dict[str, ast.expr] = {}

    def scan(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.If):
                scan(stmt.body)
                scan(stmt.orelse)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None \
                    and _name(stmt.annotation) == "TypeAlias":
                out[stmt.target.id] = stmt.value
            elif type(stmt).__name__ == "TypeAlias" and isinstance(getattr(stmt, "name", None), ast.Name):
                out[stmt.name.id] = stmt.value  # type: ignore[attr-defined]
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                v = stmt.value
                if (isinstance(v, ast.Subscript) and _name(v.value) in _GENERICS) or (
                        isinstance(v, ast.BinOp) and isinstance(v.op, ast.BitOr)):
                    out[stmt.targets[0].id] = v

    scan(ast.parse(source).body)
    return out
