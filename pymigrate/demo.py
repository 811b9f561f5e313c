"""`make demo`: the whole pipeline on a bundled fixture package, stage by stage.

The demo drives the real `pymigrate` command in subprocesses, exactly as a user would, on a copy
of `fixtures/packages/demo_kernels` in `demo-out/`. A stage that fails stops the demo with its
output and a non-zero exit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "packages" / "demo_kernels"
OUT = ROOT / "demo-out"

console = Console(highlight=False)


class StageFailed(Exception):
    """A stage exited with an error; the demo stops there."""


def run_stage(title: str, args: list[str], cwd: Path, *, ok_codes: tuple[int, ...] = (0,)) -> None:
    """Run `pymigrate ARGS` and show its output; StageFailed for an exit status not in `ok_codes`."""
    console.print(Rule(f"[bold]{title}[/]"))
    console.print(f"$ pymigrate {' '.join(args)}", style="dim")
    proc = subprocess.run(
        [sys.executable, "-m", "pymigrate", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    output = (proc.stdout + proc.stderr).rstrip()
    lines = output.splitlines()
    if len(lines) > 60:
        output = "\n".join([*lines[:60], f"... ({len(lines) - 60} more lines)"])
    if output:
        console.print(output, markup=False, soft_wrap=True)
    if proc.returncode not in ok_codes:
        raise StageFailed(f"`pymigrate {' '.join(args)}` exited with {proc.returncode}")


def run_fixture_tests(title: str, package_parent: Path, env_extra: dict[str, str]) -> None:
    """The fixture's own test suite, unchanged, against one form of the package."""
    console.print(Rule(f"[bold]{title}[/]"))
    env = {**os.environ, **env_extra, "PYTHONPATH": str(package_parent)}
    tests = package_parent / "demo_kernels" / "tests"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    console.print(proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr)
    if proc.returncode != 0:
        console.print(proc.stdout + proc.stderr, markup=False)
        raise StageFailed(f"the fixture's tests failed: {title}")


SPEED_SCRIPT = textwrap.dedent(
    """
    import sys, timeit
    sys.path.insert(0, sys.argv[1])
    import demo_kernels.kernels as k
    call = k.demo_workload
    call()
    n, t = timeit.Timer(call).autorange()
    best = min(timeit.repeat(call, number=n, repeat=5)) / n
    print(best)
    print(k.__file__)
    """
)


def time_workload(package_parent: Path) -> tuple[float, str]:
    proc = subprocess.run(
        [sys.executable, "-c", SPEED_SCRIPT, str(package_parent)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise StageFailed(f"timing failed:\n{proc.stderr}")
    seconds, module_file = proc.stdout.split("\n", 1)
    return float(seconds), module_file.strip()


def main() -> int:
    if not FIXTURE.is_dir():
        console.print(f"[red]error:[/] the demo fixture {FIXTURE} is missing")
        return 1
    shutil.rmtree(OUT, ignore_errors=True)
    original = OUT / "original"
    migrated = OUT / "migrated"
    shutil.copytree(FIXTURE, original / "demo_kernels")
    shutil.copytree(FIXTURE, migrated / "demo_kernels")
    package = migrated / "demo_kernels"
    console.print(f"[bold]pymigrate demo[/] on a copy of {FIXTURE.relative_to(ROOT)} in {OUT.relative_to(ROOT)}/")
    started = time.perf_counter()
    try:
        run_stage("1. parse: every file goes through the superset front end", ["parse", str(package)], OUT)
        run_stage("2. analyze: hints, readiness, score", ["analyze", str(package)], OUT, ok_codes=(0, 1))
        run_stage("3. migrate (dry run): the diff", ["migrate", str(package), "--diff"], OUT)
        run_stage("4. migrate --write", ["migrate", str(package), "--write"], OUT)
        run_stage("5. parse the migrated package", ["parse", str(package)], OUT)
        run_stage("6. build: .pys -> native .so + .pyi", ["build", str(package)], OUT)
        run_fixture_tests("7. the fixture's own tests against the original", original, {})
        run_fixture_tests("8. the same tests against the compiled package", migrated, {})
        base, base_file = time_workload(original)
        fast, fast_file = time_workload(migrated)
        console.print(Rule("[bold]speedup[/]"))
        console.print(f"CPython  ({Path(base_file).name}): {base * 1e3:9.3f} ms per workload")
        console.print(f"compiled ({Path(fast_file).name}): {fast * 1e3:9.3f} ms per workload")
        console.print(f"[bold green]{base / fast:.1f}x faster[/], same results, same tests")
    except StageFailed as exc:
        console.print(f"[red]demo stopped:[/] {exc}")
        return 1
    console.print(Rule())
    console.print(f"demo finished in {time.perf_counter() - started:.1f} s; outputs in {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
