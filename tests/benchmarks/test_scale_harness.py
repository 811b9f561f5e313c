"""The scale harness measures what a child process really used, and stops one that outgrows its limits."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from benchmarks import scale


def test_peak_memory_and_cpu_of_a_child_are_measured(tmp_path: Path) -> None:
    program = "import time\nblock = bytearray(300 * 1024 * 1024)\nblock[::4096] = b'x' * len(block[::4096])\n" \
              "t = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n"
    status, wall, cpu, peak = scale.run_child([sys.executable, "-c", program], tmp_path, dict(os.environ), 60, 4096)
    assert status == "ok"
    assert 300 <= peak < 600
    assert cpu >= 0.3 and wall >= cpu * 0.5


def test_a_child_over_the_memory_limit_is_stopped(tmp_path: Path) -> None:
    program = "import time\nblocks = []\nwhile True:\n    blocks.append(bytearray(50 * 1024 * 1024)); " \
              "blocks[-1][::4096] = b'x' * len(blocks[-1][::4096]); time.sleep(0.05)\n"
    status, wall, _, peak = scale.run_child([sys.executable, "-c", program], tmp_path, dict(os.environ), 60, 400)
    assert status.startswith("stopped: memory over 400 MB")
    assert 400 < peak < 1500 and wall < 60


def test_a_child_past_the_timeout_is_stopped(tmp_path: Path) -> None:
    status, wall, _, _ = scale.run_child([sys.executable, "-c", "import time; time.sleep(30)"], tmp_path,
                                         dict(os.environ), 1, 4096)
    assert status == "stopped: timeout after 1 s" and wall < 10


def test_lines_are_counted_as_the_analyzer_counts_them(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\ny = 2\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("z = 3", encoding="utf-8")
    (tmp_path / "c.txt").write_text("not\ncounted\n", encoding="utf-8")
    assert scale.count_lines(tmp_path) == 3


def test_each_figure_is_judged_against_its_own_goal() -> None:
    def verdict(stage: str, note: str, lines: int = 38_515, wall: float = 1.5, cpu: float = 0.8) -> str:
        return scale.goal_verdict(scale.Measure("large", stage, "", lines, wall, cpu, 100.0, "ok", note))

    assert verdict("analyze-warm", "cache warm, nothing changed") == ""     # not the one-file change
    assert verdict("analyze-warm", "cache warm, console.py changed") == "met"
    assert verdict("analyze-warm", "cache warm, console.py changed", wall=2.5) == "MISSED (2.5 s wall, 0.8 s CPU)"
    assert verdict("analyze-warm", "cache warm, topics.py changed", lines=858_237) == ""   # not a 30,000-line repo
    assert verdict("incremental", "migrate --check of the package, time.py changed (module entries)") == "met"
    assert verdict("incremental", "migrate --check of the package, more.py changed (module entries)",
                   wall=30.0, cpu=9.0).startswith("MISSED (30.0 s wall, 9.0 s CPU: inference is package-wide")
    assert verdict("incremental", "the same, --no-cache") == ""
    assert verdict("migrate", "static inference, --diff", wall=19.0) == "speed met; memory met"
    assert verdict("migrate", "static inference, --diff", wall=60.0) == \
        "speed MISSED (642 of 1,000 lines/s); memory met"
