"""The README's examples are real: its superset code parses and compiles, its doc links exist."""

from __future__ import annotations

import re
import types
from pathlib import Path

from pymigrate.codegen import compile_module
from pymigrate.runtime.jit import load
from pymigrate.superset import parse

README = Path(__file__).resolve().parents[2] / "README.md"
TEXT = README.read_text(encoding="utf-8")


def superset_blocks() -> list[str]:
    return re.findall(r"```superset\n(.*?)```", TEXT, flags=re.S)


def test_readme_has_a_superset_example() -> None:
    assert len(superset_blocks()) == 1


def test_readme_superset_example_compiles_and_behaves_like_python() -> None:
    source = superset_blocks()[0]
    result = parse(source, "README.md")
    compiled = compile_module(result, "readme_example")
    module = types.ModuleType("readme_example")
    load(compiled, module)
    point = module.Point(3.0, 4.0)
    assert point.norm2() == 25.0
    acc = [1, 2]
    assert module.total(acc, 4) == 7
    assert acc == [1, 2, 4]  # `mut`: the caller sees the append


def test_readme_links_point_at_files() -> None:
    root = README.parent
    for target in re.findall(r"\]\(([^)#]+)\)", TEXT):
        if "://" in target:
            continue
        assert (root / target).exists(), target


def test_readme_names_the_two_commands() -> None:
    assert "make demo" in TEXT and "make test" in TEXT
