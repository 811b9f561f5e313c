"""Interleaved measurement: one worker process per implementation for the current module, rounds
that visit every implementation in turn (rotating the order), medians of the rounds.

A result is counted only after it has been checked equal to CPython's (see verify.py), on the warm-up
call and on every timed sample.
"""

from __future__ import annotations

import json
import math
import os
import select
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from benchmarks import impls
from benchmarks.kernels import Kernel
from benchmarks.verify import mismatch

REQUEST_TIMEOUT = 180.0


class WorkerDied(Exception):
    pass


@dataclass
class Outcome:
    """One implementation on one module: either measured (status "ok") or n/a with a reason."""

    status: str = "ok"  # "ok" | "n/a" | "failed" | "wrong result"
    reason: str = ""
    samples: list[float] = field(default_factory=list)
    inner: int = 0
    load_s: float | None = None
    first_call_s: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.ok and self.samples else None

    def fail(self, status: str, reason: str) -> None:
        self.status, self.reason = status, reason


class Worker:
    """One implementation of one kernel in its own process.

    A crash, a segfault or leaked state in one implementation then costs that cell only, and
    every implementation is timed in an interpreter that loaded nothing else.
    """

    def __init__(self, impl: str, name: str, artifact: str, source: Path, entry: str, returns: str, log: Path) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log
        self._log_file = log.open("w")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(impls.REPO_ROOT), os.environ.get("PYTHONPATH")])))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker", impl, name, artifact, str(source), entry, returns],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            text=True,
            cwd=impls.REPO_ROOT,
            env=env,
        )
        self.hello = self._read()

    def _stderr_tail(self) -> str:
        self._log_file.flush()
        lines = [ln for ln in self.log.read_text(errors="replace").splitlines() if ln.strip()]
        return lines[-1][:300] if lines else "no output"

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], REQUEST_TIMEOUT)
        if not ready:
            self.proc.kill()
            raise WorkerDied(f"no answer within {REQUEST_TIMEOUT:.0f} s")
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            raise WorkerDied(f"worker died (exit {code}): {self._stderr_tail()}")
        message: dict[str, Any] = json.loads(line)
        return message

    def request(self, **message: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise WorkerDied(f"worker died (exit {self.proc.wait()}): {self._stderr_tail()}") from None
        return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.request(op="quit")
            except (WorkerDied, json.JSONDecodeError):
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_file.close()


def _result(message: dict[str, Any]) -> object:
    return message["result"]


def _start(
    impl_names: list[str], name: str, builds: dict[str, impls.Build], source: Path, entry: str, returns: str,
    logs: Path, outcomes: dict[str, Outcome],
) -> dict[str, Worker]:
    workers: dict[str, Worker] = {}
    for impl in impl_names:
        outcome = outcomes.setdefault(impl, Outcome())
        build = builds.get(impl)
        if build is None or build.error is not None:
            outcome.fail("n/a", build.error if build is not None and build.error else "not built")
            continue
        try:
            worker = Worker(impl, name, build.artifact, source, entry, returns, logs / f"{impl}-{name}.log")
        except WorkerDied as exc:
            outcome.fail("failed", str(exc))
            continue
        if not worker.hello.get("ok"):
            outcome.fail("failed", f"load: {worker.hello.get('error')}")
            worker.close()
            continue
        outcome.load_s = float(worker.hello["load_s"])
        workers[impl] = worker
    return workers


def _rounds(
    workers: dict[str, Worker], outcomes: dict[str, Outcome], rounds: int,
    step: Callable[[str, Worker, Outcome], None],
) -> None:
    """Visit every live implementation once per round, rotating the order between rounds."""
    names = list(workers)
    for r in range(rounds):
        shift = r % len(names) if names else 0
        for impl in names[shift:] + names[:shift]:
            outcome = outcomes[impl]
            if not outcome.ok:
                continue
            try:
                step(impl, workers[impl], outcome)
            except WorkerDied as exc:
                outcome.fail("failed", str(exc))


def measure_kernel(
    kernel: Kernel, impl_names: list[str], builds: dict[str, impls.Build], *, quick: bool, rounds: int,
    target: float, logs: Path,
) -> dict[str, Outcome]:
    """Time `kernel` in every implementation; CPython (first in `impl_names`) is the reference."""
    n = kernel.size(quick)
    outcomes: dict[str, Outcome] = {}
    workers = _start(impl_names, kernel.name, builds, kernel.path, kernel.entry, kernel.returns, logs, outcomes)
    reference: object = None
    try:
        for impl, worker in workers.items():
            outcome = outcomes[impl]
            try:
                first = worker.request(op="run", n=n, inner=1)
                if not first["ok"]:
                    outcome.fail("failed", first["error"])
                    continue
                outcome.first_call_s = float(first["seconds"])
                if impl == "cpython":
                    reference = _result(first)
                elif reference is None:
                    outcome.fail("n/a", "no CPython reference result to check against")
                    continue
                second = worker.request(op="run", n=n, inner=1)
                if not second["ok"]:
                    outcome.fail("failed", second["error"])
                    continue
                for message in (first, second):
                    wrong = mismatch(reference, _result(message), kernel.tolerance)
                    if wrong:
                        outcome.fail("wrong result", wrong)
                        break
                per_call = max(float(second["seconds"]), 1e-9)
                outcome.inner = max(1, min(1_000_000, math.ceil(target / per_call)))
            except WorkerDied as exc:
                outcome.fail("failed", str(exc))

        def step(impl: str, worker: Worker, outcome: Outcome) -> None:
            answer = worker.request(op="run", n=n, inner=outcome.inner)
            if not answer["ok"]:
                outcome.fail("failed", answer["error"])
                return
            wrong = mismatch(reference, _result(answer), kernel.tolerance)
            if wrong:
                outcome.fail("wrong result", wrong)
                return
            outcome.samples.append(float(answer["seconds"]))

        _rounds(workers, outcomes, rounds, step)
    finally:
        for worker in workers.values():
            worker.close()
    return outcomes


def measure_call_overhead(
    source: Path, impl_names: list[str], builds: dict[str, impls.Build], *, rounds: int, number: int, logs: Path,
) -> dict[str, Outcome]:
    """Net seconds per call of `add1(1)` (the call loop minus the same loop that only loads `add1`)."""
    outcomes: dict[str, Outcome] = {}
    workers = _start(impl_names, "trivial", builds, source, "add1", "int", logs, outcomes)
    try:
        for impl, worker in workers.items():  # warm up (Numba compiles here) and check add1(1) == 2
            try:
                answer = worker.request(op="overhead", number=1000)
            except WorkerDied as exc:
                outcomes[impl].fail("failed", str(exc))
                continue
            if not answer["ok"]:
                outcomes[impl].fail("failed", answer["error"])
            elif mismatch(2, answer["result"]):
                outcomes[impl].fail("wrong result", mismatch(2, answer["result"]) or "")

        def step(impl: str, worker: Worker, outcome: Outcome) -> None:
            answer = worker.request(op="overhead", number=number)
            if not answer["ok"]:
                outcome.fail("failed", answer["error"])
                return
            outcome.samples.append(float(answer["call_s"]) - float(answer["empty_s"]))
            outcome.extra.setdefault("gross", []).append(float(answer["call_s"]))

        _rounds(workers, outcomes, rounds, step)
    finally:
        for worker in workers.values():
            worker.close()
    return outcomes
