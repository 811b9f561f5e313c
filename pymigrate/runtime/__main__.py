"""`python -m pymigrate.runtime MODULE [ARGS...]`: run a `.pys` module as `__main__`.

`python -m` itself cannot find `.pys` modules (the hook is not installed yet when it looks), so
this installs the hook and then runs MODULE the way `python -m MODULE` would.
"""

from __future__ import annotations

import runpy
import sys

from pymigrate.runtime.hook import install

USAGE = """usage: python -m pymigrate.runtime MODULE [ARGS...]

Run MODULE (a .pys module or package) as __main__, with the .pys import hook installed.
example: python -m pymigrate.runtime mypkg.tool --verbose"""


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr)
        return 2 if not argv else 0
    install()
    sys.argv = list(argv)
    runpy.run_module(argv[0], run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
