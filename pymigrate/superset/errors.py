"""Superset syntax errors: what went wrong, where, and what to write instead.

Errors are collected as `Problem`s (0-based character columns) while scanning and checking,
and the earliest one becomes the `SyntaxError` the caller sees, with CPython's 1-based
character offsets so that tools printing `line:col` agree with CPython's own messages.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One error at a place in the original source (columns are 0-based characters)."""

    line: int
    col: int
    end_line: int
    end_col: int
    message: str

    @property
    def start(self) -> tuple[int, int]:
        return (self.line, self.col)


def keyword_as_name(word: str) -> str:
    return f"'{word}' is a keyword of the superset; write `{word}` to use it as a name"


def missing_name(word: str) -> str:
    what = "function" if word == "fn" else "struct"
    example = "fn name(x: Int) -> Int:" if word == "fn" else "struct Name:"
    return (
        f"expected a {what} name after '{word}', as in `{example}`; "
        f"write `{word}` to use '{word}' as a name"
    )


def convention_outside_fn(word: str) -> str:
    return (
        f"'{word}' is an argument convention: it is only allowed before a parameter name "
        f"in a fn parameter list"
    )


def convention_in_def(word: str) -> str:
    return (
        f"argument conventions are only allowed in a fn: change 'def' to 'fn' "
        f"or remove '{word}'"
    )


RAISES_IN_DEF = "'raises' is only allowed on a fn: change 'def' to 'fn' or remove 'raises'"
RAISES_MISPLACED = "'raises' is only allowed right after the parameter list of a fn"
VAR_NOT_STATEMENT = (
    "a 'var' declaration must start a statement: `var name = value`, "
    "`var name: Type = value` or `var name: Type`"
)
VAR_NOT_ONE_NAME = (
    "'var' declares one plain name: write `var name = value`, "
    "`var name: Type = value` or `var name: Type`"
)
VAR_WITHOUT_TYPE_OR_VALUE = (
    "'var' needs a type or a value: write `var name: Type` or `var name = value`"
)
UNCLOSED_BACKTICK = "unclosed backtick: close the name with a second ` on the same line"
EMPTY_BACKTICKS = "empty backticks: put a name between them, as in `class`"
NULL_BYTE = "source contains a null byte; remove it"


def not_a_name(text: str) -> str:
    return f"backticks enclose a single name, and {text!r} is not a name"


def fstring_keyword(word: str) -> str:
    return (
        f"'{word}' is a keyword of the superset and cannot be used as a name inside an f-string; "
        f"bind the value to another name first"
    )


def to_syntax_error(problem: Problem, filename: str, line_text: str | None) -> SyntaxError:
    """A SyntaxError laid out as CPython lays out its own (offsets 1-based, in characters)."""
    return SyntaxError(
        problem.message,
        (filename, problem.line, problem.col + 1, line_text, problem.end_line, problem.end_col + 1),
    )
