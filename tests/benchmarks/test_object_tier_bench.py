"""`python -m benchmarks.object_tier --quick`: every kernel compiles, gives CPython's result (the
harness asserts it) and is timed; the state machine's compiled method leaves the same fields as the
def's on the same input."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

from benchmarks import object_tier


def test_every_kernel_runs_and_agrees() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        assert object_tier.main(["--quick"]) == 0
    rows = [line.split()[0] for line in out.getvalue().splitlines()[1:]]
    assert rows == ["tally", "render", "centroid", "collatz", "machine", "frequencies", "scan"]


def test_machine_fields_match_the_defs() -> None:
    compiled, plain = object_tier._modules()
    got, want = object_tier._inputs(compiled, True)["machine"], object_tier._inputs(plain, True)["machine"]
    assert compiled.machine(*got) == plain.machine(*want)
    assert vars(got[0]) == vars(want[0])
