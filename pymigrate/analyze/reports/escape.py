"""Escaping for every report format: file names and messages are user-controlled text.

A file name may hold a backtick, `|`, `<img onerror=...>`, a newline or bytes that are not
UTF-8 (Python hands them over as lone surrogates, which no UTF-8 writer accepts). Each format
gets one function here, so no renderer has to remember the rules.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\udc80-\udcff]")
_MARKUP = re.compile(r"([\\`*_\[\]<>&|~])")
_TICKS = re.compile("`+")


def shown(text: str) -> str:
    """`text` with each byte that is not UTF-8 written `\\xNN`, as Python shows such bytes."""
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)


def json_text(document: str) -> str:
    """A JSON document with lone surrogates as `\\udcNN` escapes: valid UTF-8, and json.loads
    gives back the very str (os.fsencode of it is the file's real name)."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


def _one_line(text: str) -> str:
    return shown(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def md_text(text: str) -> str:
    """Plain text in Markdown, also inside a table cell: each character that can open markup
    mid-line (a code span, emphasis, strikethrough, link, HTML tag or entity, a cell border) is
    backslash-escaped, as CommonMark allows for any ASCII punctuation. Reports put such text
    after a list marker or in a cell, never at a line start, so line-start syntax cannot occur."""
    return _MARKUP.sub(r"\\\1", _one_line(text))


def md_code(text: str, *, in_table: bool = True) -> str:
    """A code span showing `text` exactly: fenced by more backticks than any run inside it,
    padded when it starts or ends with one; `|` escaped for tables (GFM removes the backslash
    before reading the span)."""
    text = _one_line(text)
    longest = max((len(run) for run in _TICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ") and text.strip()):
        text = f" {text} "
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def md_message(text: str) -> str:
    """A message whose `quoted` parts are code: those become safe code spans, the rest plain text."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: nothing is code
        return md_text(text)
    return "".join(md_code(part) if index % 2 else md_text(part) for index, part in enumerate(parts))
