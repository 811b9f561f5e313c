"""The whole standard library through the superset parser: zero differences from CPython.

Every .py file under the running interpreter's stdlib (test/ included, site-packages not):
- accepted by ast.parse and free of fn/struct/var names: exactly ast.parse's tree, positions too;
- using fn/struct/var as names: the backtick error at the first such name, and once every such
  name is backticked, ast.parse's tree again with positions shifted by the backticks;
- rejected by ast.parse: rejected too, on the same line;
- not decodable: refused by CPython as well.
"""

from __future__ import annotations

import pytest
from superset_stdlib_sweep import stdlib_files, sweep


@pytest.mark.slow
def test_standard_library_round_trip() -> None:
    files = stdlib_files()
    assert len(files) > 1000
    outcomes = sweep(files, processes=2)
    diffs = [f"{o.path}: {o.detail}" for o in outcomes if o.kind == "diff"]
    assert diffs == []
    kinds = {o.kind for o in outcomes}
    assert {"same", "backticked", "rejected"} <= kinds
    assert sum(o.kind == "same" for o in outcomes) > 1000
