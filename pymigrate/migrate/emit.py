"""Superset text from an upgraded LibCST tree and its marks.

The tree is rendered by LibCST (so every comment, blank line and odd bit of formatting is
kept byte for byte), then each superset keyword is inserted at the position LibCST reports
for the marked node in that very tree: `def`/`class` are replaced by `fn`/`struct` where
they stand, `var `/`mut `/`out ` go in front of the marked name, `raises ` in front of
`->` (or after the parameters' `)` when there is no return type), backticks around keyword-named
identifiers.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from pymigrate.migrate.backtick import keyword_names
from pymigrate.migrate.textedit import Edit, Offsets, apply_edits
from pymigrate.migrate.upgrade import Marks


def render_superset(module: cst.Module, marks: Marks) -> str:
    """The `.pys` text of `module` with `marks` applied and keyword names backticked."""
    code = module.code
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    at = Offsets(code)

    def start(node: cst.CSTNode) -> int:
        return at(positions[node].start)

    edits: list[Edit] = []
    for keyword, replacement, names in (("def", "fn", marks.fns), ("class", "struct", marks.structs)):
        for name in names:
            where = at.keyword_before(start(name), keyword)
            gap = code[where + len(keyword) : start(name)]
            if "\\" in gap:  # a continuation line between keyword and name: join them
                edits.append(Edit(where, 0, start(name), replacement + " "))
            else:
                edits.append(Edit(where, 0, where + len(keyword), replacement))
    for name in marks.var_decls:
        edits.append(Edit(start(name), 0, start(name), "var "))
    for name, convention in marks.conventions:
        edits.append(Edit(start(name), 0, start(name), f"{convention} "))
    for marked in marks.raises:
        if isinstance(marked, cst.Parameters):  # no return type: right after the `)` the parameters end at
            paren = at(positions[marked].end)
            assert code[paren] == ")", "a def's parameters end at its `)`"
            edits.append(Edit(paren + 1, 0, paren + 1, " raises"))
            continue
        arrow = at.keyword_before(start(marked), "->")
        text = "raises " if arrow > 0 and code[arrow - 1] in " \t" else " raises "
        edits.append(Edit(arrow, 0, arrow, text))
    for name in keyword_names(module, code):
        span = positions[name]
        edits.append(Edit(at(span.start), 1, at(span.start), "`"))
        edits.append(Edit(at(span.end), -1, at(span.end), "`"))
    return apply_edits(code, edits)
