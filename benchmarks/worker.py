"""One worker process per (implementation, module): loads the module once, then answers timing
requests, one JSON object a line on stdin/stdout.

Requests:  {"op": "run", "n": N, "inner": M}  -> {"ok": true, "seconds": per-call, "result": r}
           {"op": "overhead", "number": N}     -> {"ok": true, "call_s": ..., "empty_s": ...}
The first line the worker writes is the load report: {"ok": true, "load_s": ...} or an error.
Anything the kernel or a compiler prints goes to stderr, never into the protocol.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
import timeit
import traceback
from pathlib import Path
from typing import Any, Callable, TextIO

from benchmarks import impls


def _error(exc: BaseException) -> dict[str, Any]:
    return {"ok": False, "error": f"{type(exc).__name__}: {exc}".splitlines()[0][:300]}


def _json_result(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return {"repr": repr(value), "type": type(value).__name__}
    return value


def run_samples(func: Callable[[int], object], n: int, inner: int) -> tuple[float, object]:
    """Mean seconds per call over `inner` back-to-back calls (gc off, as timeit does), last result."""
    result: object = None
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(inner):
            result = func(n)
        elapsed = time.perf_counter() - start
    finally:
        if enabled:
            gc.enable()
    return elapsed / inner, result


def call_overhead(func: Callable[[int], object], number: int, repeat: int = 15) -> tuple[float, float]:
    """Seconds per iteration of `f(1)` and of the same loop that only loads `f`: the best of
    `repeat` alternating runs of each (the minimum is the run least disturbed by other processes)."""
    call_timer = timeit.Timer("f(1)", globals={"f": func})
    empty_timer = timeit.Timer("f", globals={"f": func})
    call = empty = float("inf")
    for _ in range(repeat):
        call = min(call, call_timer.timeit(number))
        empty = min(empty, empty_timer.timeit(number))
    return call / number, empty / number


def serve(impl_name: str, name: str, artifact: str, source: Path, entry: str, returns: str, out: TextIO) -> None:
    def reply(message: dict[str, Any]) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    start = time.perf_counter()
    try:
        module = impls.get(impl_name).load(name, artifact, source, returns)
        func = getattr(module, entry)
    except BaseException as exc:  # report any failure to load as n/a, never crash the harness
        traceback.print_exc()
        reply(_error(exc))
        return
    reply({"ok": True, "load_s": time.perf_counter() - start})
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["op"] == "run":
                seconds, result = run_samples(func, int(request["n"]), int(request["inner"]))
                reply({"ok": True, "seconds": seconds, "result": _json_result(result)})
            elif request["op"] == "overhead":
                call, empty = call_overhead(func, int(request["number"]))
                reply({"ok": True, "call_s": call, "empty_s": empty, "result": _json_result(func(1))})
            elif request["op"] == "quit":
                return
            else:
                reply({"ok": False, "error": f"unknown op {request['op']!r}"})
        except Exception as exc:  # the kernel raised: report it, the harness marks the column n/a
            traceback.print_exc()
            reply(_error(exc))


def main(argv: list[str]) -> int:
    impl_name, name, artifact, source, entry, returns = argv
    # Keep the protocol on a private copy of stdout; everything else printed goes to stderr.
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(impl_name, name, artifact, Path(source), entry, returns, protocol)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
