"""Signals reach a long-running fn as they reach a def: its loops run the pending handlers
(PyErr_CheckSignals, as CPython's eval loop does), and a handler's exception leaves the fn as a
real exception with the fn's traceback entry; Ctrl-C raises KeyboardInterrupt."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from codegen_support import compiled

SRC = '''
fn spin(n: Int) -> Int:
    var i = 0
    var t = 0
    while i < n:
        t = (t + i) % 1000003
        i += 1
    return t

fn nested(n: Int) -> Int:
    var t = 0
    for i in range(n):
        for j in range(n):
            t = (t + i * j) % 7
    return t

fn over_list(xs: List[Int], n: Int) -> Int:
    var t = 0
    var k = 0
    while k < n:
        for x in xs:
            t = (t + x) % 11
        k += 1
    return t

fn sums(xs: List[Float64], k: Int) -> Float64:
    var s = 0.0
    for r in range(k):
        for i in range(len(xs)):
            s += xs[i] * xs[i]
    return s
'''


class Alarm(Exception):
    pass


@pytest.fixture(scope="module")
def mod() -> Any:
    return compiled(SRC, "signals.pys")


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs setitimer")
# each call runs for seconds (bounded, so a fn that ignored signals fails instead of hanging)
@pytest.mark.parametrize(("name", "args"), [("spin", (4 * 10**9,)), ("nested", (60000,)),
                                            ("over_list", ([1, 2, 3], 10**9)), ("sums", ([0.5] * 1000, 10**7))])
def test_handler_exception_stops_the_loop(mod: Any, name: str, args: tuple[Any, ...]) -> None:
    raised: list[Alarm] = []

    def handler(signum: int, frame: object) -> None:
        raised.append(Alarm("alarm"))
        raise raised[-1]

    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        start = time.monotonic()
        with pytest.raises(Alarm) as info:
            getattr(mod, name)(*args)
        elapsed = time.monotonic() - start
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert info.value is raised[0]  # the handler's own exception object, not a translation
    assert elapsed < 5.0
    entries = []
    tb = info.value.__traceback__
    while tb is not None:
        entries.append((tb.tb_frame.f_code.co_name, tb.tb_frame.f_code.co_filename))
        tb = tb.tb_next
    assert (name, "signals.pys") in entries


def test_ctrl_c_raises_keyboard_interrupt(tmp_path: Path) -> None:
    script = tmp_path / "spin.py"
    script.write_text(textwrap.dedent(f'''
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from codegen_support import compiled
        m = compiled({SRC!r}, "signals.pys")
        print("ready", flush=True)
        try:
            m.spin(10**12)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
    '''))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("the fn ignored SIGINT") from None
    assert out.strip() == "interrupted", err
