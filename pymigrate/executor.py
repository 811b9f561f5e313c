"""Where a run's independent jobs execute: this process, worker processes on this machine, or a Dask cluster.

`analyze` hands out batches of files and `migrate` the per-module stages that follow package-wide
inference (annotate, analyze, upgrade, verify). Each job is a plain function of plain data (paths or
bytes, the configuration, a module's inferred types), so its result does not depend on where it runs;
the caller puts the results back in the order of its files, so a report or a diff is the same,
byte for byte, wherever the jobs ran.

    --executor local               worker processes on this machine (`--jobs`, default 2 or fewer)
    --executor dask://host:port    the jobs of a Dask distributed scheduler's workers

A Dask worker must import the same pymigrate (and Python) as the client; jobs carry the bytes of their
modules, so workers need no shared file system. Workers neither read nor write the caches of this
machine: the process that runs the command looks every module up first and stores what comes back.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from typing import Any, TypeVar

_T = TypeVar("_T")
_R = TypeVar("_R")

DASK_SCHEME = "dask://"
CONNECT_TIMEOUT = 10.0      # seconds to wait for a scheduler before saying it cannot be reached


class ExecutorError(Exception):
    """The executor asked for cannot be used (an unknown kind, Dask missing, a scheduler out of reach)."""


def check_spec(spec: str) -> str:
    """`spec` when it names a known executor, for argparse; raises ExecutorError (a usage error) otherwise."""
    if spec == "local":
        return spec
    if spec.startswith(DASK_SCHEME):
        address = spec[len(DASK_SCHEME):]
        host, _, port = address.rpartition(":")
        if host and port.isdigit() and "/" not in address:
            return spec
        raise ExecutorError(f"--executor {spec}: expected dask://HOST:PORT (the scheduler's address)")
    raise ExecutorError(f"--executor {spec}: expected 'local' or dask://HOST:PORT")


def default_jobs() -> int:
    """Two worker processes, or one on a single-core machine: the machines this runs on share their cores."""
    return min(2, os.cpu_count() or 1)


@contextlib.contextmanager
def executor(spec: str | None, jobs: int) -> Iterator[Executor | None]:
    """The executor for `spec` (None or `local`: `jobs` processes here, None when `jobs` is 1, meaning run
    in this process), shut down on leaving. A Dask scheduler that cannot be reached is an ExecutorError."""
    if spec is None or spec == "local":
        if jobs <= 1:
            yield None
            return
        from concurrent.futures import ProcessPoolExecutor  # its import costs start-up: only when used

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            yield pool
        return
    check_spec(spec)
    with _dask_client(spec[len(DASK_SCHEME):]) as client:
        yield client.get_executor()


@contextlib.contextmanager
def _dask_client(address: str) -> Iterator[Any]:
    try:
        from distributed import Client
    except ImportError:
        raise ExecutorError("--executor dask://...: the `distributed` package is not installed "
                            "(pip install 'pymigrate[dask]')") from None
    try:
        client = Client(f"tcp://{address}", timeout=CONNECT_TIMEOUT,  # type: ignore[no-untyped-call]
                        set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ExecutorError(f"cannot reach the Dask scheduler at {address} within {CONNECT_TIMEOUT:g} s "
                            f"({type(exc).__name__}: {exc})") from None
    try:
        yield client
    finally:
        client.close()  # type: ignore[no-untyped-call]


def run_all(pool: Executor | None, function: Callable[[_T], _R], items: Iterable[_T]) -> Iterator[_R]:
    """`function` over `items`, results in the items' order: in this process when `pool` is None."""
    if pool is None:
        return map(function, items)
    return pool.map(function, items)
