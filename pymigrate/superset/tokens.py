"""The token layer: superset source in, Python source plus a side table out.

One regular-expression pass finds the tokens that matter (names, backticks, brackets, strings
and comments to skip over) and rewrites the superset additions into Python that CPython's own
parser accepts: `fn` -> `def`, `struct` -> `class`, `var`/`mut`/`out` and `raises` dropped,
backticked names -> placeholder identifiers. Every rewrite is recorded per line, so positions
in the rewritten text map back exactly to the original (see positions.py). Lines are never
added or removed. Problems found here carry their place; whether they or CPython's own error
is reported is decided by the parser.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Callable

from pymigrate.superset import errors
from pymigrate.superset.errors import Problem
from pymigrate.superset.keywords import PYTHON_KEYWORDS
from pymigrate.superset.marks import CONVENTION_KINDS, MarkKind

_TOKEN = re.compile(
    r"""
     (?P<nl>\r\n|\r|\n)
    |(?P<comment>\#[^\r\n]*)
    |(?P<cont>\\(?:\r\n|\r|\n))
    |(?P<str>(?:[rRbBuUfF]{1,2})?
        (?:'''(?:[^'\\]|\\.|'(?!''))*'''
          |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
          |'(?:[^'\\\r\n]|\\(?:\r\n|.))*'
          |"(?:[^"\\\r\n]|\\(?:\r\n|.))*"))
    |(?P<name>[^\W\d]\w*)
    |(?P<num>\.?\d(?:[eE][+-]\d|[\w.])*)
    |(?P<bt>`[^`\r\n]*`|`\w*)
    |(?P<op>->|[()\[\]{},:;])
    |(?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)

#: What may follow a keyword on the same line for it to be one: whitespace, then a name or a backtick.
_FOLLOW = re.compile(r"[ \t\f]+(?:(`)|([^\W\d]\w*))")
_HEADER_LIKE = re.compile(r"[ \t\f]*(?:[(:]|\r|\n|$)")
_ARROW_OR_COLON = re.compile(r"[ \t\f]*(?:->|:)")
_NEWLINE = re.compile(r"\r\n|\r|\n")

#: Quick test: does a source contain anything the token layer would act on?
SUPERSET_HINT = re.compile(r"(?<!\w)(?:fn|struct|var)(?!\w)|`")

_INTERESTING = frozenset({"fn", "struct", "var", "mut", "out", "raises", "def"})
_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")


@dataclass(frozen=True)
class Edit:
    """A rewrite on one line, in 0-based character columns of the original and new line."""

    orig_start: int
    orig_end: int
    new_start: int
    new_end: int


@dataclass(frozen=True)
class RawMark:
    """A mark found by the scanner, as character indexes into the original source."""

    kind: MarkKind
    start: int
    end: int
    name: str | None


@dataclass
class Scan:
    """The result of the token layer."""

    text: str
    line_starts: list[int]
    edits: dict[int, list[Edit]]
    marks: list[RawMark]
    problems: list[Problem]
    hints: list[Problem]
    placeholders: dict[str, str]
    placeholder_prefix: str
    #: index of the declared name's first character -> index of its `var` keyword
    var_decls: dict[int, int] = field(default_factory=dict)
    #: index of a parameter name's first character -> index of its convention keyword
    conventions: dict[int, int] = field(default_factory=dict)
    #: an f-string mentions a superset word: the tree must be checked for names the scan cannot see
    fstring_words: bool = False

    def line_col(self, index: int) -> tuple[int, int]:
        """1-based line and 0-based character column of a source index."""
        line = bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1]


def line_starts(source: str) -> list[int]:
    return [0, *(m.end() for m in _NEWLINE.finditer(source))]


def split_lines(source: str) -> list[str]:
    """Physical lines as CPython counts them (\\n, \\r\\n and \\r end a line), without their ends."""
    return _NEWLINE.split(source)


class _Header:
    """A `def`/`fn` header being scanned: where its parameter list is and what it may hold."""

    __slots__ = ("is_fn", "depth", "stage", "name")

    def __init__(self, is_fn: bool, depth: int, name: str | None) -> None:
        self.is_fn = is_fn
        self.depth = depth
        self.stage = 0  # 0: before '(', 1: in the parameter list, 2: right after ')'
        self.name = name


def _placeholder_prefix(source: str) -> str:
    prefix = "_pys_bt_"
    while prefix in source:
        prefix = "_" + prefix
    return prefix


def scan(source: str) -> Scan:
    """Rewrite superset tokens into Python tokens; see the module docstring."""
    starts = line_starts(source)
    prefix = _placeholder_prefix(source)
    out = Scan(
        text=source,
        line_starts=starts,
        edits={},
        marks=[],
        problems=[],
        hints=[],
        placeholders={},
        placeholder_prefix=prefix,
    )
    replacements: list[tuple[int, int, str]] = []

    def problem(start: int, end: int, message: str, hint: bool = False) -> None:
        line, col = out.line_col(start)
        end_line, end_col = out.line_col(end)
        (out.hints if hint else out.problems).append(Problem(line, col, end_line, end_col, message))

    def placeholder(name: str) -> str:
        ph = f"{prefix}{len(out.placeholders)}"
        out.placeholders[ph] = name
        return ph

    def follower(end: int) -> tuple[int, str] | None:
        """The name (or backticked name) after a keyword ending at `end`: (its index, its text)."""
        m = _FOLLOW.match(source, end)
        if m is None:
            return None
        if m.group(1) is not None:
            close = source.find("`", m.end(1))
            nl = _NEWLINE.search(source, m.end(1))
            if close < 0 or (nl is not None and nl.start() < close):
                return m.start(1), ""
            return m.start(1), unicodedata.normalize("NFKC", source[m.end(1) : close])
        word = m.group(2)
        if word in PYTHON_KEYWORDS:
            return None
        return m.start(2), unicodedata.normalize("NFKC", word)

    depth = 0
    prev = ""  # the previous significant token: an operator's text, or "n" for anything else
    stmt_start = True
    header: _Header | None = None

    for m in _TOKEN.finditer(source):
        kind = m.lastgroup
        if kind == "nl":
            if depth == 0:
                stmt_start = True
                header = None
                prev = ""
            continue
        if kind == "comment" or kind == "cont":
            continue
        if kind == "str":
            text = m.group()
            if SUPERSET_HINT.search(text) is not None and "f" in text[:3].lower().split(text[-1])[0]:
                out.fstring_words = True
                for fs, fe in fstring_fields(text):
                    for t in _FIELD_TOKEN.finditer(text, fs, fe):
                        _field_token(t, m.start(), problem, placeholder, out.marks, replacements)
        if header is not None and header.stage == 2 and not (kind == "name" and m.group() == "raises"):
            header = None
        if kind == "name":
            word = m.group()
            if word in _INTERESTING:
                start, end = m.span()
                nxt = follower(end)
                if word == "def":
                    header = _Header(False, depth, nxt[1] if nxt else None)
                elif word == "fn" or word == "struct":
                    if nxt is None:
                        header_like = stmt_start and _HEADER_LIKE.match(source, end) is not None
                        message = errors.missing_name(word) if header_like else errors.keyword_as_name(word)
                        problem(start, end, message)
                        replacements.append((start, end, placeholder(word)))
                    elif word == "fn":
                        replacements.append((start, end, "def"))
                        out.marks.append(RawMark(MarkKind.FN, start, end, nxt[1]))
                        header = _Header(True, depth, nxt[1])
                    else:
                        replacements.append((start, end, "class "))
                        out.marks.append(RawMark(MarkKind.STRUCT, start, end, nxt[1]))
                elif word == "raises":
                    if header is not None and header.stage == 2:
                        replacements.append((start, end, " " * (end - start)))
                        out.marks.append(RawMark(MarkKind.RAISES, start, end, header.name))
                        if not header.is_fn:
                            problem(start, end, errors.RAISES_IN_DEF)
                        header = None
                    elif _ARROW_OR_COLON.match(source, end):
                        problem(start, end, errors.RAISES_MISPLACED, hint=True)
                else:  # var, mut, out
                    in_params = (
                        header is not None
                        and header.stage == 1
                        and depth == header.depth + 1
                        and (prev == "(" or prev == ",")
                    )
                    if in_params and nxt is not None:
                        assert header is not None
                        replacements.append((start, end, " " * (end - start)))
                        out.marks.append(RawMark(CONVENTION_KINDS[word], start, end, nxt[1]))
                        out.conventions[nxt[0]] = start
                        if not header.is_fn:
                            problem(start, end, errors.convention_in_def(word))
                    elif word == "var":
                        if nxt is None:
                            problem(start, end, errors.keyword_as_name(word))
                            replacements.append((start, end, placeholder(word)))
                        else:
                            replacements.append((start, nxt[0], ""))
                            out.marks.append(RawMark(MarkKind.VAR_DECL, start, end, nxt[1]))
                            out.var_decls[nxt[0]] = start
                    elif nxt is not None:
                        problem(start, end, errors.convention_outside_fn(word), hint=True)
            prev = "n"
            stmt_start = word == "async" and stmt_start
            continue
        if kind == "op":
            op = m.group()
            if op in _OPEN:
                if header is not None and header.stage == 0 and depth == header.depth and op == "(":
                    header.stage = 1
                depth += 1
            elif op in _CLOSE:
                if depth > 0:
                    depth -= 1
                if header is not None and header.stage == 1 and depth == header.depth:
                    header.stage = 2
            elif op == ":" and header is not None and header.stage == 0 and depth == header.depth:
                header = None
            prev = op
            stmt_start = op == ";" and depth == 0
            continue
        if kind == "bt":
            start, end = m.span()
            text = m.group()
            inner = text[1:-1] if len(text) > 1 and text.endswith("`") else text[1:]
            if len(text) < 2 or not text.endswith("`"):
                problem(start, end, errors.UNCLOSED_BACKTICK)
            elif not inner:
                problem(start, end, errors.EMPTY_BACKTICKS)
            elif not inner.isidentifier():
                problem(start, end, errors.not_a_name(inner))
            else:
                name = unicodedata.normalize("NFKC", inner)
                out.marks.append(RawMark(MarkKind.BACKTICK, start, end, name))
                replacements.append((start, end, placeholder(name)))
                prev = "n"
                stmt_start = False
                continue
            replacements.append((start, end, placeholder(inner if inner.isidentifier() else "_")))
        prev = "n"
        stmt_start = False

    if replacements:
        _apply(out, source, replacements)
    return out


_FIELD_TOKEN = re.compile(
    r"""(?P<str>'[^']*'|"[^"]*")|(?P<name>(?<!\.)(?<![\w`])(?:fn|struct|var)(?!\w))|(?P<bt>`[^`]*`?)"""
)


def _field_token(
    t: re.Match[str],
    offset: int,
    problem: Callable[[int, int, str], None],
    placeholder: Callable[[str], str],
    marks: list[RawMark],
    replacements: list[tuple[int, int, str]],
) -> None:
    """A keyword or backtick inside an f-string replacement field (only names can be there)."""
    start, end = t.start() + offset, t.end() + offset
    text = t.group()
    if t.lastgroup == "name":
        problem(start, end, errors.keyword_as_name(text))
        replacements.append((start, end, placeholder(text)))
    elif t.lastgroup == "bt":
        inner = text[1:-1]
        if len(text) < 2 or not text.endswith("`"):
            problem(start, end, errors.UNCLOSED_BACKTICK)
        elif not inner.isidentifier():
            problem(start, end, errors.not_a_name(inner) if inner else errors.EMPTY_BACKTICKS)
        else:
            name = unicodedata.normalize("NFKC", inner)
            marks.append(RawMark(MarkKind.BACKTICK, start, end, name))
            replacements.append((start, end, placeholder(name)))
            return
        replacements.append((start, end, placeholder("_")))  # so that CPython reports what comes later


def fstring_fields(token: str) -> list[tuple[int, int]]:
    """Spans (indexes into the string token) of the expressions in an f-string's replacement fields.

    Follows Python 3.11's rules: `{{`/`}}` are literal braces, a field ends at its `}` or at a
    top-level `!`/`:`, and a format spec may hold nested fields.
    """
    quote = token.lstrip("rRbBuUfF")[:3]
    if quote not in ('"""', "'''"):
        quote = quote[0]
    i = len(token) - len(token.lstrip("rRbBuUfF")) + len(quote)
    stop = len(token) - len(quote)
    spans: list[tuple[int, int]] = []
    spec_depth = 0  # > 0 while inside a format spec (literal text with nested fields)
    while i < stop:
        c = token[i]
        if c == "{":
            if spec_depth == 0 and token.startswith("{{", i):
                i += 2
                continue
            i = _field(token, i + 1, stop, spans)
            if i < stop and token[i] in "!:":
                if token[i] == "!":
                    i += 2
                if i < stop and token[i] == ":":
                    spec_depth += 1
                    i += 1
                    continue
            i += 1  # the closing brace
            continue
        if c == "}":
            if spec_depth > 0:
                spec_depth -= 1
            elif token.startswith("}}", i):
                i += 1
        i += 1
    return spans


def _field(token: str, i: int, stop: int, spans: list[tuple[int, int]]) -> int:
    """Scan one field's expression from `i`; record its span; return where it ends."""
    start = i
    nesting = 0
    while i < stop:
        c = token[i]
        if c in "'\"":
            close = token.find(c, i + 1, stop)
            i = stop if close < 0 else close + 1
            continue
        if c in "([{":
            nesting += 1
        elif c in ")]}":
            if nesting == 0:
                break
            nesting -= 1
        elif nesting == 0 and (c == ":" or (c == "!" and not token.startswith("!=", i))):
            break
        i += 1
    spans.append((start, i))
    return i


def _apply(out: Scan, source: str, replacements: list[tuple[int, int, str]]) -> None:
    """Build the rewritten text and the per-line edit tables used to map positions back."""
    pieces: list[str] = []
    last = 0
    delta_line = -1
    delta = 0
    for start, end, new in replacements:
        pieces.append(source[last:start])
        pieces.append(new)
        last = end
        if len(new) == end - start:
            continue
        line, col = out.line_col(start)
        if line != delta_line:
            delta_line, delta = line, 0
        new_start = col + delta
        out.edits.setdefault(line, []).append(
            Edit(col, col + (end - start), new_start, new_start + len(new))
        )
        delta += len(new) - (end - start)
    pieces.append(source[last:])
    out.text = "".join(pieces)
