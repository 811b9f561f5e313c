"""Migration output always imports, and says when it cannot: checked by running it with CPython.

Inserted annotations that would be evaluated before their names are bound are written as strings
(and nothing else is); an output that would not compile, pass the compiler's checker or import is
not written, with `path:line:col: error: ...` and exit status 1, in every mode.
"""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from migrate_support import planned_analyzer

from pymigrate.migrate import command
from pymigrate.migrate.annotate import annotate_module
from pymigrate.migrate.bindtime import unbound_annotations
from pymigrate.migrate.infer.api import FileTypes, FunctionTypes
from pymigrate.migrate.pipeline import Stages
from pymigrate.migrate.verify import VerifyError, check_python


def _types(functions: dict[str, dict[str, str]]) -> FileTypes:
    """FileTypes from ``{qualname: {"param": "T", "return": "R"}}``."""
    out = FileTypes()
    for qualname, slots in functions.items():
        ft = FunctionTypes(params={k: v for k, v in slots.items() if k != "return"}, returns=slots.get("return"))
        out.functions[qualname] = ft
    return out


def _import(code: str) -> dict[str, Any]:
    """Run the module as CPython imports it: the ground truth for 'it imports'."""
    namespace: dict[str, Any] = {"__name__": "migrated"}
    exec(compile(code, "migrated.py", "exec", dont_inherit=True), namespace)
    return namespace


# (name, source, types, the exact signature lines expected after annotation)
CASES = [
    (
        "nested function run while its class body executes",
        '''\
class Color:
    def _describer(prefix):
        def describe(color):
            return prefix + color.name
        return describe

    describe = staticmethod(_describer("color: "))

    def __init__(self, name):
        self.name = name
''',
        {"Color._describer.<locals>.describe": {"color": "Color", "return": "str"}},
        ['        def describe(color: "Color") -> str:'],
    ),
    (
        "module-level function naming a class bound further down",
        '''\
def origin():
    return Point(0, 0)


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y
''',
        {"origin": {"return": "Point"}},
        ['def origin() -> "Point":'],
    ),
    (
        "method naming its own class in the class body",
        '''\
class Money:
    def __init__(self, cents):
        self.cents = cents

    def plus(self, other):
        return Money(self.cents + other.cents)
''',
        {"Money.plus": {"other": "Money", "return": "Money"}},
        ['    def plus(self, other: "Money") -> "Money":'],
    ),
    (
        "function run by a default value at definition time",
        '''\
def make_handler():
    def handler(event):
        return event.kind
    return handler


def dispatch(event, handler=make_handler()):
    return handler(event)


class Event:
    kind = "click"
''',
        {"make_handler.<locals>.handler": {"event": "Event", "return": "str"}},
        ['    def handler(event: "Event") -> str:'],
    ),
    (
        "decorator that calls the function at definition",
        '''\
def run_now(func):
    func()
    return func


@run_now
def register():
    def check(item):
        return item.valid
    return check


class Item:
    valid = True
''',
        {"register.<locals>.check": {"item": "Item", "return": "bool"}},
        ['    def check(item: "Item") -> bool:'],
    ),
    (
        "names bound by the time they are evaluated stay as they are",
        '''\
class Item:
    valid = True


def check(item):
    return item.valid


def later():
    def inner(thing):
        return thing.size
    return inner


class Thing:
    size = 3
''',
        {"check": {"item": "Item", "return": "bool"}, "later.<locals>.inner": {"thing": "Thing", "return": "int"}},
        ["def check(item: Item) -> bool:", "    def inner(thing: Thing) -> int:"],
    ),
]


@pytest.mark.parametrize("source,types,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_inserted_annotations_are_evaluated_only_once_their_names_exist(
    source: str, types: dict[str, dict[str, str]], expected: list[str]
) -> None:
    annotated = annotate_module(cst.parse_module(source), _types(types)).code
    lines = annotated.splitlines()
    assert [line for line in lines if line.lstrip().startswith("def ") and "->" in line] == expected
    assert "__future__" not in annotated          # the module's annotation semantics are its own
    namespace = _import(annotated)                # it imports (the unquoted version raises NameError)
    assert unbound_annotations(ast.parse(annotated)) == []
    for value in namespace.values():             # and every annotation still resolves once imported
        if callable(value) and getattr(value, "__module__", None) == "migrated" and not isinstance(value, type):
            typing.get_type_hints(value, namespace)


def test_unquoted_versions_of_the_cases_do_raise_name_error() -> None:
    """The cases above are real: written without quotes, CPython refuses to import them."""
    failures = 0
    for _, source, types, _ in CASES[:5]:
        annotated = annotate_module(cst.parse_module(source), _types(types)).code
        for slots in types.values():
            for text in slots.values():
                annotated = annotated.replace(f'"{text}"', text)
        try:
            _import(annotated)
        except NameError:
            failures += 1
    assert failures == 5


def test_a_module_with_lazy_annotations_gets_no_quotes_and_keeps_its_future_import() -> None:
    source = "from __future__ import annotations\n\n\ndef origin():\n    return Point()\n\n\nclass Point:\n    pass\n"
    annotated = annotate_module(cst.parse_module(source), _types({"origin": {"return": "Point"}})).code
    assert "def origin() -> Point:" in annotated and annotated.count("__future__") == 1
    _import(annotated)


def test_names_imported_only_for_type_checking_are_quoted_even_in_functions_run_later() -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from decimal import Decimal\n\n\n" \
             "def outer():\n    def inner(d):\n        return d\n    return inner(1)\n"
    annotated = annotate_module(cst.parse_module(source), _types({"outer.<locals>.inner": {"d": "Decimal"}})).code
    assert 'def inner(d: "Decimal"):' in annotated
    assert _import(annotated)["outer"]() == 1


# -- the check before writing ------------------------------------------------------------------------

BROKEN = '''\
def origin():
    return Point(0, 0)


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y
'''


def _unquoted_annotator(module: cst.Module, types: Any) -> cst.Module:
    """A stage that inserts an annotation without asking when it is evaluated (a migrator bug)."""
    return cst.parse_module(module.code.replace("def origin():", "def origin() -> Point:"))


def _run(argv: list[str], stages: Stages) -> int:
    parser = argparse.ArgumentParser(prog="pymigrate migrate")
    command.configure(parser)
    return command.run(parser.parse_args(argv), stages)


class _NoTypes:
    def for_file(self, path: Path) -> FileTypes:
        return FileTypes(functions={"origin": FunctionTypes(returns="Point")})


@pytest.mark.parametrize("mode", ["--write", "--check", "--diff"])
def test_an_output_that_would_not_import_is_never_written_and_every_mode_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    (tmp_path / "geometry.py").write_text(BROKEN)
    monkeypatch.chdir(tmp_path)
    stages = Stages(infer=lambda *a, **k: _NoTypes(), annotate=_unquoted_annotator, analyze=planned_analyzer({}))
    assert _run(["geometry.py", mode], stages) == 1
    out, err = capsys.readouterr()
    assert (tmp_path / "geometry.py").read_text() == BROKEN and out == ""
    assert ("geometry.py:1:17: error: the annotation of return in `origin` would use `Point` before it is bound "
            "(NameError when it is evaluated); file left as it is") in err.splitlines()
    with pytest.raises(NameError):      # what would have been written
        _import(_unquoted_annotator(cst.parse_module(BROKEN), None).code)


def test_python_output_is_compiled_not_only_parsed() -> None:
    text = "def f():\n    return 1\n\n\nreturn 2\n"
    ast.parse(text)      # it parses...
    with pytest.raises(VerifyError) as info:
        check_python(text, "m.py")
    assert (info.value.line, info.value.col, str(info.value)) == (
        5, 1, "the migrated text does not compile: 'return' outside function")


def test_a_pys_the_compiler_refuses_is_not_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = 'def label(n: int) -> int:\n    return n + "!"\n'
    (tmp_path / "labels.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    stages = Stages(infer=lambda *a, **k: _NoTypes(), annotate=lambda m, t: m,
                    analyze=planned_analyzer({"functions": ["label"]}))      # an analyzer that got it wrong
    assert _run(["labels.py", "--write"], stages) == 1
    err = capsys.readouterr().err
    assert (tmp_path / "labels.py").read_text() == source and not (tmp_path / "labels.pys").exists()
    assert ("labels.py:2:12: error: the compiler's checker refuses the migrated text: unsupported operand types "
            "for +: Int and String; file left as it is") in err.splitlines()


# -- with the real inference ---------------------------------------------------------------------------

def test_real_migration_of_the_class_body_case_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "palette"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "colors.py").write_text(CASES[0][1] + "\n\nRED = Color('red')\nTEXT = Color.describe(RED)\n")
    monkeypatch.chdir(tmp_path)
    from pymigrate.cli import main

    trace = f"{sys.executable} -c 'import palette.colors'"     # run from here, where palette is importable
    assert main(["migrate", "palette", "--no-upgrade", "--write", "--trace", trace]) == 0
    text = (pkg / "colors.py").read_text()
    tree = ast.parse(text)
    class_body_annotations = [a for f in ast.walk(next(s for s in tree.body if isinstance(s, ast.ClassDef))) if isinstance(f, ast.FunctionDef)
                              for a in [f.returns, *(p.annotation for p in f.args.args)] if a is not None]
    # the annotations naming Color that run in its own class body are strings; the others are not
    assert any(isinstance(a, ast.Constant) and "Color" in a.value for a in class_body_annotations), text
    assert unbound_annotations(tree) == []
    done = subprocess.run([sys.executable, "-c", "import palette.colors as c; print(c.TEXT)"], cwd=tmp_path,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert (done.returncode, done.stdout) == (0, "color: red\n"), done.stderr
    assert main(["migrate", "palette", "--no-upgrade", "--check", "--trace", trace]) == 0    # idempotent
