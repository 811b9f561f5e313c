"""A migrated module keeps what Python accepts (BOM, PEP 263 declaration, CRLF, CR-only line
endings with the final `\\r`), and `parse`, `build` and the import hook accept every one of them
and run it like CPython runs the original (issue 15)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pymigrate.codegen import build
from pymigrate.migrate.pipeline import Options, Stages, migrate_source
from pymigrate.superset import decode_source, parse

BODY = ["S = 'é'", "def f(n: int) -> int:", "    m = n", "    return m"]
UPGRADED = ["S = 'é'", "fn f(n: int) -> int:", "    var m = n", "    return m"]


def _source(lines: list[str], case: str) -> bytes:
    newline = {"crlf": "\r\n", "cr": "\r", "cr-no-final": "\r"}.get(case, "\n")
    text = newline.join(lines) + ("" if case == "cr-no-final" else newline)
    if case == "latin-1":
        return ("# -*- coding: latin-1 -*-\n" + text).encode("latin-1")
    if case == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode("utf-8")


CASES = ["bom", "latin-1", "crlf", "cr", "cr-no-final"]


class _NoTypes:
    def for_file(self, path: Path) -> Any:
        return None


def _ready_f(source: str, path: Path, config: Any = None) -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(functions=[SimpleNamespace(qualname="f", status="ready", tier="native")], classes=[], error=None)


STAGES = Stages(infer=lambda *a, **k: _NoTypes(), annotate=lambda module, types: module, analyze=_ready_f)


@pytest.mark.parametrize("case", CASES)
def test_migration_keeps_the_bytes_python_accepts(case: str) -> None:
    original = _source(BODY, case)
    namespace: dict[str, Any] = {}
    exec(compile(original, "m.py", "exec"), namespace)  # CPython takes the original as it is
    result = migrate_source(original, Path("m.py"), None, Options(), STAGES)
    assert result.error is None, result.error
    assert result.data == _source(UPGRADED, case)
    parse(decode_source(result.data, Path("m.pys")), "m.pys")


@pytest.mark.parametrize("case", CASES)
def test_build_and_import_hook_accept_what_parse_accepts(case: str, pys_site: Path) -> None:
    site = pys_site
    name = "enc_" + case.replace("-", "_")
    source = site / f"{name}.pys"
    source.write_bytes(_source(UPGRADED, case))
    module = importlib.import_module(name)
    assert (module.S, module.f(7)) == ("é", 7)
    built = build.build_file(source, stubs=False)
    probe = f"import sys; sys.path.insert(0, {str(site)!r}); import {name} as m; print(m.S == 'é', m.f(5), m.__file__)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=site).stdout
    assert out.split()[:2] == ["True", "5"] and out.split()[2] == str(built.extension)
