"""The superset front end: parse `.py`/`.pys` source into a Python AST plus marks, and print it back."""

from pymigrate.superset.keywords import SUPERSET_KEYWORDS
from pymigrate.superset.marks import Mark, MarkKind
from pymigrate.superset.parser import ParseResult, parse
from pymigrate.superset.printer import unparse
from pymigrate.superset.sourcefile import SourceDecodeError, decode_source, read_source

__all__ = [
    "SUPERSET_KEYWORDS",
    "Mark",
    "MarkKind",
    "ParseResult",
    "SourceDecodeError",
    "decode_source",
    "parse",
    "read_source",
    "unparse",
]
