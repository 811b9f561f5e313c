"""Verification: an annotation that would add a mypy error is dropped; the error count never rises."""

from __future__ import annotations

import libcst as cst

from pymigrate.migrate.annotate import annotate_module
from pymigrate.migrate.infer import FunctionTypes, infer_package
from pymigrate.migrate.infer.package import load_modules
from pymigrate.migrate.infer.static import error_lines, run_mypy
from pymigrate.migrate.infer.verify import new_errors

SOURCE = """
def size(x=None):
    return len(x)


def first(items):
    return items[0]


def main() -> int:
    return size([1, 2]) + first([3])
"""


def _annotated_errors(files, types) -> list[str]:  # type: ignore[no-untyped-def]
    texts = {p: annotate_module(cst.parse_module(p.read_text()), types.for_file(p)).code for p in files}
    from pymigrate.migrate.infer.package import module_from_text
    return error_lines(run_mypy([module_from_text(m, texts[m.path]) for m in load_modules(files)]))


def test_naive_annotation_adds_error_and_verification_drops_it(make_package) -> None:  # type: ignore[no-untyped-def]
    files = make_package({"m.py": SOURCE})
    baseline = error_lines(run_mypy(load_modules(files)))
    assert baseline == []
    naive = infer_package(files, root=files[0].parent, target_version=(3, 11), verify=False)
    assert naive.for_file(files[1]).functions["size"] == FunctionTypes({"x": "Sequence[int] | None"}, "int")
    naive_errors = _annotated_errors(files, naive)
    assert len(naive_errors) == 1 and 'Argument 1 to "len" has incompatible type "Sequence[int] | None"' in naive_errors[0]

    checked = infer_package(files, root=files[0].parent, target_version=(3, 11))
    fns = checked.for_file(files[1]).functions
    assert fns["size"] == FunctionTypes({}, "int")                      # x dropped, the return kept
    assert fns["first"] == FunctionTypes({"items": "Sequence[int]"}, "int")   # only indexed: a Sequence
    assert _annotated_errors(files, checked) == []


def test_new_errors_match_by_message_not_line() -> None:
    base = ["a.py:3: error: X  [misc]", "a.py:9: error: Y  [misc]"]
    after = ["a.py:4: error: X  [misc]", "a.py:10: error: Y  [misc]", "a.py:12: error: Z  [misc]"]
    assert new_errors(base, after) == [("a.py", 12, "Z")]
