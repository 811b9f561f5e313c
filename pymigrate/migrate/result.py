"""What one migration run is asked (`Options`) and what it gives for each file (`FileResult`).

Kept apart from the pipeline (LibCST, the analyzer, the checker), so that a run answered from the
migration cache (pymigrate.migrate.cache) and the writer need none of those imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pymigrate.config import Config

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from pymigrate.migrate.cache import ModuleCache


@dataclass(frozen=True)
class Options:
    annotate: bool = True  # insert inferred types
    upgrade: bool = True  # def -> fn, class -> struct where the analyzer says ready
    trace_command: str | None = None
    allow_trace_failure: bool = False  # a failing trace command only warns
    config: Config = field(default_factory=Config)
    # the compiler's checker over each whole .pys (off only where tests force items ready that the
    # compiler would refuse, to test how an upgrade is spelled)
    compiler_check: bool = True

    @classmethod
    def from_policy(cls, config: Config, *, no_upgrade: bool = False, trace_command: str | None = None,
                    allow_trace_failure: bool = False) -> Options:
        """`upgrade` policy from config: safe | annotate-only | none (only backticks)."""
        policy = "annotate-only" if no_upgrade and config.upgrade == "safe" else config.upgrade
        return cls(
            annotate=policy != "none",
            upgrade=policy == "safe",
            trace_command=trace_command,
            allow_trace_failure=allow_trace_failure,
            config=config,
        )


@dataclass
class FileResult:
    """What migrating one file gives: the new text and its destination, or an error."""

    path: Path
    original: bytes
    before: str = ""
    after: str | None = None
    output_path: Path | None = None
    encoding: str = "utf-8"
    fns: list[str] = field(default_factory=list)
    structs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    transient: bool = False     # the error may not recur (out of memory, an internal error): never cached

    @property
    def changed(self) -> bool:
        return self.error is None and (self.output_path != self.path or self.after != self.before)

    @property
    def upgraded(self) -> bool:
        return self.output_path is not None and self.output_path.suffix == ".pys"

    @property
    def data(self) -> bytes:
        assert self.after is not None
        return self.after.encode(self.encoding)


@dataclass(frozen=True)
class Runner:
    """Where the per-module stages after inference run: `pool` (an open executor: remote workers, taken
    for every run), else `jobs` processes here when there is enough to do; and the per-module cache they
    are looked up in first."""

    jobs: int = 1
    cache: ModuleCache | None = None
    pool: Executor | None = None
