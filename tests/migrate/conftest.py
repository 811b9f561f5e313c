"""Makes migrate_support importable (the suite uses importlib import mode) and parametrizes cases."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from migrate_support import CASES  # noqa: E402


@pytest.fixture(params=CASES)
def case(request: pytest.FixtureRequest) -> str:
    return str(request.param)
