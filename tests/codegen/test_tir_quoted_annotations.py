"""A quoted annotation means what the same annotation unquoted means: a forward reference to a plain
class makes an object-tier fn, as `Foo` does (black's `replacements: "_NodeReplacements"` was refused)."""

from __future__ import annotations

from codegen_support import compiled, plain

SOURCE = '''
fn count(box: "Box", extra: "list[int] | None") -> int:
    var n = len(box.items)
    if extra is not None:
        n += len(extra)
    return n

class Box:
    def __init__(self, items):
        self.items = items
'''


def test_quoted_class_annotation_is_an_object_fn_like_the_def() -> None:
    native, python = compiled(SOURCE), plain(SOURCE)
    for items, extra in [([1, 2], None), ([], [3]), ("abc", [1, 2]), ([1], "xy")]:
        assert native.count(native.Box(items), extra) == python.count(python.Box(items), extra)
    for bad in [None, 5]:
        try:
            python.count(bad, None)
        except Exception as exc:
            expected = (type(exc), str(exc))
        try:
            native.count(bad, None)
        except Exception as exc:
            assert (type(exc), str(exc)) == expected
        else:
            raise AssertionError("the compiled fn did not raise")
