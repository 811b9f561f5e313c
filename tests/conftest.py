"""Suite-wide: which tests are slow, and the long tests first.

`make check` (the inner loop) deselects the tests marked `slow`; `make test` runs them all. Besides
the tests marked in their own files (the standard-library sweeps, generated programs, whole-package
migrations, mypy over pymigrate, the pre-commit environment), the groups below are slow because
each test builds and runs whole packages in subprocesses: each took 15 s or more in a parallel run
on two busy cores.

Under pytest-xdist the suite ends when its last test does; collected first, the slow tests start at
once and run beside the many short ones instead of after them.
"""

from __future__ import annotations

import pytest

SLOW = (
    "tests/e2e/test_e2e_bindings.py",  # each module compiles and builds its fixtures, then runs them
    "tests/e2e/test_e2e_findings.py",
    "tests/e2e/test_e2e_fixtures.py",
    "tests/e2e/test_e2e_struct_protocol.py",
    "tests/runtime/test_fixture_packages.py",  # migrate, build and run each fixture package's own tests
    "tests/runtime/test_runtime_stubs.py::test_fixture_suites_type_check_the_same_against_the_stubs",  # mypy
    "tests/migrate/test_migrate_concurrency.py",  # writers killed at sampled steps over a 30-module package
    "tests/migrate/test_migrate_test_modules.py::test_a_package_with_its_tests_inside_keeps_them_as_py",
    "tests/migrate/test_migrate_real.py::test_real_modules_migrate_idempotently_and_keep_comments",
    "tests/infer/test_infer_trace.py",  # each runs a package's tests under the tracer
    "tests/benchmarks/test_bench_harness.py",
    "tests/cli/test_executor_dask.py",  # a Dask cluster of worker processes, then analyze and migrate on it
    "tests/migrate/test_migrate_idempotence.py",  # migrate --write/--check --trace over fixture packages and humanize
    "tests/benchmarks/test_realpkgs.py::test_fast_slice",  # idna through the whole pipeline and its tests
    "tests/benchmarks/test_realpkgs.py::test_a_traced_migration_past_its_budget_falls_back_to_a_static_one_and_says_so",
)
"""Node-id prefixes of the tests `make check` leaves to `make test`."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: same order otherwise
