"""Fuzzing `parse`, `analyze` and `migrate --diff` (issue 15): random bytes, token soups and
mutated real modules (from the standard library and the superset fixtures).

Whatever the input: no exception escapes, a file that fails gets one `path:line:col: error: ...`
line, a file CPython rejects fails in `analyze` and `migrate` as well, and `migrate --diff`
writes nothing. The normal run takes a bounded, derandomized number of examples (200 each,
about 15 s);
`make fuzz` (PYMIGRATE_FUZZ_EXAMPLES=5000, random) searches longer.
"""

from __future__ import annotations

import argparse
import bisect
import colorsys
import contextlib
import io
import keyword
import os
import re
import stat
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pymigrate.analyze import analyze_file, analyze_source
from pymigrate.config import Config
from pymigrate.migrate import command
from pymigrate.migrate.pipeline import Stages
from pymigrate.superset.command import check_file

EXAMPLES = int(os.environ.get("PYMIGRATE_FUZZ_EXAMPLES", "200"))
LONG_RUN = "PYMIGRATE_FUZZ_EXAMPLES" in os.environ
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG_RUN,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [Path(m.__file__).read_bytes() for m in (bisect, colorsys, keyword, stat)]  # type: ignore[arg-type]
SUPERSET_SEEDS = [(ROOT / "fixtures/superset/mixed.pys").read_bytes(),
                  (ROOT / "fixtures/packages/records.expected/geometry.pys").read_bytes()]

TOKENS = [
    "def", "fn", "struct", "class", "var", "mut", "out", "raises", "return", "if", "else", "elif", "while",
    "for", "in", "lambda", "yield", "async", "await", "with", "try", "except", "finally", "import", "from",
    "type", "match", "case", "global", "nonlocal", "del", "pass", "x", "self", "`var`", "`", "f", "int",
    "(", ")", "[", "]", "{", "}", ":", ",", ".", ";", "=", "==", "->", "+", "-", "*", "**", "/", "//", "@",
    "|", "&", "~", "<", ">", ":=", "...", "\\", "#", "'", '"', '"""', "f'{x}'", "b'\\xff'", "0", "1.5e3",
    "0x_1", "é", "\ufeff", "\0", "\t", "    ", "\n", "\r", "\r\n", "\f", "# -*- coding: latin-1 -*-\n",
]

DIAGNOSTIC = r":\d+:\d+: error: \S"


def _stages() -> Stages:
    """Inference off (mypy per example would take seconds); the real analyzer, without the probe."""
    return Stages(
        infer=lambda *a, **k: None,
        annotate=lambda module, types: module,
        analyze=lambda source, path, config=None: analyze_source(source, path, config, use_probe=False),
    )


@st.composite
def token_soup(draw: Any) -> bytes:
    words = draw(st.lists(st.sampled_from(TOKENS), max_size=80))
    gaps = draw(st.lists(st.sampled_from(["", " ", "\n", "  "]), min_size=len(words), max_size=len(words)))
    text = "".join(w + g for w, g in zip(words, gaps))
    encoding = draw(st.sampled_from(["utf-8", "latin-1", "utf-8-sig"]))
    return text.encode(encoding, "surrogateescape" if encoding != "latin-1" else "replace")


@st.composite
def mutated(draw: Any, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 120)))
        kind = draw(st.sampled_from(["delete", "duplicate", "insert", "flip", "truncate", "indent"]))
        if kind == "delete":
            del data[start:end]
        elif kind == "duplicate":
            data[start:start] = data[start:end]
        elif kind == "insert":
            data[start:start] = draw(st.sampled_from(TOKENS)).encode("utf-8", "surrogateescape")
        elif kind == "flip" and start < len(data):
            data[start] ^= draw(st.integers(1, 255))
        elif kind == "truncate":
            del data[start:]
        elif kind == "indent":
            data[start:start] = b"\n  "
    return bytes(data)


INPUTS = st.one_of(st.binary(max_size=600), token_soup(), mutated(SEEDS))


def _rejected_by_cpython(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, "m.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    return False


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir()}


def _check_parse_and_analyze(path: Path) -> tuple[str | None, str | None]:
    message = check_file(path)
    if message is not None:
        assert re.fullmatch(re.escape(str(path)) + DIAGNOSTIC + r"[^\n]*", message), message
    analysis = analyze_file(path, Config(), use_probe=False)
    if analysis.error is not None:
        assert re.fullmatch(re.escape(str(path)) + DIAGNOSTIC + r"[^\n]*", analysis.error), analysis.error
    return message, analysis.error


@pytest.fixture
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(data=INPUTS)
def test_parse_analyze_and_migrate_diff_take_anything(data: bytes, workdir: Path) -> None:
    for old in workdir.iterdir():
        old.unlink()
    path = workdir / "m.py"
    path.write_bytes(data)
    _parse_error, analyze_error = _check_parse_and_analyze(path)
    rejected = _rejected_by_cpython(data)
    if rejected:
        assert analyze_error is not None

    before = _snapshot(workdir)
    parser = argparse.ArgumentParser()
    command.configure(parser)
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        status = command.run(parser.parse_args([str(path), "--diff"]), _stages())
    assert _snapshot(workdir) == before  # a dry run writes nothing
    errors = [line for line in err.getvalue().splitlines() if ": error: " in line]
    assert status in (0, 1)
    assert "migration failed" not in err.getvalue(), err.getvalue()  # an unexpected exception inside
    assert len(errors) == (1 if status == 1 else 0), err.getvalue()
    assert re.match(re.escape(str(path)) + r"(:\d+:\d+)?: error: \S", errors[0]) if errors else True
    if rejected:
        assert status == 1, err.getvalue()


@FUZZ
@given(data=st.one_of(token_soup(), mutated(SUPERSET_SEEDS)))
def test_parse_and_analyze_take_any_superset_text(data: bytes, workdir: Path) -> None:
    path = workdir / "m.pys"
    path.write_bytes(data)
    _check_parse_and_analyze(path)
