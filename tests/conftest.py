"""Suite-wide collection order: the long tests first.

Under pytest-xdist the suite ends when its last test does; started first, the tests marked `slow`
run beside the many short ones instead of after them.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: same order otherwise
