"""`migrate --write` in a process of its own, for the concurrency and crash tests.

Usage: python write_driver.py ROOT [--wait]. Inference and annotation are stand-ins and every
module-level def is called ready, so each module of the package becomes a `.pys` quickly.
Environment:
  PM_GO_FILE   wait until this file exists before starting (to start several runs together);
  PM_KILL_AT   SIGKILL this process just before its N-th file-system step (link, unlink,
               replace, fsync, chmod, open for writing);
  PM_COUNT_TO  write the number of those steps the run took to this file.
"""

from __future__ import annotations

import argparse
import builtins
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from migrate_support import PlannedTypes, every_top_level_ready  # noqa: E402

from pymigrate.migrate import command  # noqa: E402
from pymigrate.migrate.pipeline import Stages  # noqa: E402


class _Types:
    def for_file(self, path: Path) -> PlannedTypes:
        return PlannedTypes()


STAGES = Stages(infer=lambda *a, **k: _Types(), annotate=lambda module, types: module, analyze=every_top_level_ready)
_steps = 0


def _counting(function: Callable[..., Any], writes_only: bool = False) -> Callable[..., Any]:
    kill_at = int(os.environ.get("PM_KILL_AT", "0"))

    def step(*args: Any, **kwargs: Any) -> Any:
        global _steps
        if writes_only:
            mode = args[1] if len(args) > 1 else kwargs.get("mode", "r")
            flags = args[1] if len(args) > 1 else 0
            writing = ("w" in mode or "a" in mode or "x" in mode) if isinstance(mode, str) else bool(
                flags & (os.O_WRONLY | os.O_RDWR)
            )
            if not writing:
                return function(*args, **kwargs)
        _steps += 1
        if _steps == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)

    return step


def main() -> int:
    go = os.environ.get("PM_GO_FILE")
    if go:
        deadline = time.monotonic() + 60
        while not os.path.exists(go) and time.monotonic() < deadline:
            time.sleep(0.001)
    for name in ("link", "unlink", "replace", "fsync", "chmod"):
        setattr(os, name, _counting(getattr(os, name)))
    os.open = _counting(os.open, writes_only=True)
    builtins.open = _counting(builtins.open, writes_only=True)
    parser = argparse.ArgumentParser(prog="pymigrate migrate")
    command.configure(parser)
    status = command.run(parser.parse_args([*sys.argv[1:], "--write"]), STAGES)
    count_to = os.environ.get("PM_COUNT_TO")
    if count_to:
        Path(count_to).write_text(str(_steps))
    return status


if __name__ == "__main__":
    sys.exit(main())
