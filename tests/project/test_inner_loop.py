"""The slow groups listed in tests/conftest.py still name tests, so `make check` leaves out what it says."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("suite_conftest", ROOT / "tests" / "conftest.py")
assert spec is not None and spec.loader is not None
suite = importlib.util.module_from_spec(spec)
spec.loader.exec_module(suite)


@pytest.mark.parametrize("prefix", suite.SLOW)
def test_each_slow_group_names_existing_tests(prefix: str) -> None:
    path, _, name = prefix.partition("::")
    text = (ROOT / path).read_text(encoding="utf-8")
    assert f"def {name}(" in text if name else "def test_" in text
