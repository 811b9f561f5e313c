"""Repository scale: time, CPU and peak memory of `analyze`, `migrate` and `build` on real packages.

    python -m benchmarks.scale                          # every case and stage (long on a busy machine)
    python -m benchmarks.scale --cases small,medium --stages analyze,migrate
    python -m benchmarks.scale --cases stdlib           # analyze over the standard library only
    python -m benchmarks.scale --no-profile --json scale.json

The packages are real ones from PyPI, pinned by version and sha256 (PACKAGES), downloaded with pip into
a cache (`--cache`, default `benchmarks/_scale/`) at run time and never installed: each stage works on a
fresh copy. Every command runs as a child process (`python -m pymigrate ...`, this checkout first on the
path), so interpreter start-up and imports count; its wall time, CPU time (user + system, children
included), peak memory (the largest sum of the RSS of its process tree, sampled every 50 ms) and lines
per second are printed next to the goal of issue 19. A command that outgrows `--timeout` or
`--mem-limit` is stopped and reported as such (with the memory it had reached). Then each migrate
command runs once more in-process under cProfile (`--no-profile` skips it) to say where the time goes:
mypy builds, the static rounds, verification rounds, the tracer, LibCST passes, the analyzer.

Wall times on a shared 2-core machine swing with the other processes: the table also gives CPU seconds
and the load average, and figures should be compared within one run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Package:
    name: str           # the import name (the directory copied out of the wheel)
    dist: str
    version: str
    sha256: str         # of the wheel
    driver: str         # a program exercising the package: the command --trace runs


PACKAGES: dict[str, Package] = {
    "small": Package("humanize", "humanize", "4.17.0",
                     "02d0899527760efe18011944f882df4970943b4cdff7b5a0ba7fed43a576ef98", """\
import datetime as dt
import humanize
for i in range(3000):
    humanize.naturalsize(i * 1037); humanize.intcomma(i * 12345); humanize.intword(i * 10**6)
    humanize.ordinal(i); humanize.apnumber(i % 12); humanize.fractional(i / 7); humanize.scientific(i * 1.5)
    humanize.naturaldelta(dt.timedelta(seconds=i * 37)); humanize.naturaltime(dt.timedelta(seconds=i))
    humanize.precisedelta(dt.timedelta(seconds=i * 3.7)); humanize.metric(i * 1.3, "V")
"""),
    "medium": Package("more_itertools", "more-itertools", "11.2.1",
                      "35a7377edd1dd6608dcb2cdf534ded55ea32d49448875ad042cd3f879fb1ded0", """\
import more_itertools as mi
for i in range(400):
    data = list(range(i % 50 + 10))
    list(mi.chunked(data, 3)); list(mi.windowed(data, 4)); mi.first(data); mi.last(data)
    list(mi.flatten([data, data])); list(mi.unique_everseen(data + data)); list(mi.pairwise(data))
    list(mi.distinct_permutations([1, 1, 2, 3])); list(mi.powerset(data[:6])); mi.ilen(iter(data))
    list(mi.interleave(data, data)); list(mi.split_at(data, lambda x: x % 7 == 0)); list(mi.sliced(data, 5))
    list(mi.collapse([data, [data]])); list(mi.padded(data, None, 60)); mi.all_equal(data)
    list(mi.run_length.encode(data)); list(mi.circular_shifts(data[:8])); mi.nth_or_last(data, 3)
"""),
    "large": Package("rich", "rich", "15.0.0",
                     "33bd4ef74232fb73fe9279a257718407f169c09b78a87ad3d296f548e27de0bb", """\
import io
from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree
console = Console(file=io.StringIO(), width=100, color_system="truecolor", force_terminal=True)
for i in range(25):
    table = Table(title=f"table {i}")
    for column in ("name", "value", "note"):
        table.add_column(column)
    for row in range(20):
        table.add_row(f"[bold]row {row}[/bold]", str(row * i), "x" * (row % 13))
    console.print(table)
    console.print(Markdown("# Title\\n\\n* one\\n* two\\n\\nSome `code` and **bold** text.\\n"))
    console.print(Panel(Text("word " * 60, style="italic"), title="panel"))
    tree = Tree("root")
    for branch in range(5):
        tree.add(f"branch {branch}").add("leaf")
    console.print(tree)
    console.print_json('{"a": [1, 2, 3], "b": {"c": null}}')
    console.log("logged", i)
"""),
}

STAGES = ("analyze", "migrate", "trace", "build", "incremental")
GOALS = {
    "analyze": "100,000 lines/s on the standard library (2 cores)",
    "analyze-warm": "a run after a one-file change in a 30,000-line repository under 2 s",
    "migrate": "static migrate at 1,000 lines/s or better; peak memory under 1 GB for 30,000 lines",
    "trace": "the tracer within 3x of the traced command's own time",
    "build": "no goal in the issue (reported)",
    "incremental": "a run after a one-file change costs that file and its dependents; the pre-commit hook on a "
                   "one-file commit under 2 s",
}


@dataclass
class Measure:
    case: str
    stage: str
    command: str
    lines: int
    wall: float = 0.0
    cpu: float = 0.0
    peak_mb: float = 0.0
    status: str = "ok"          # ok | exit N | stopped: timeout | stopped: memory
    note: str = ""
    profile: dict[str, list[float]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.lines / self.wall if self.wall > 0 else 0.0


# ---------------------------------------------------------------- fetching


def fetch(package: Package, cache: Path) -> Path:
    """The package's directory, unpacked from its wheel (downloaded once, checked against its sha256)."""
    unpacked = cache / f"{package.dist}-{package.version}"
    target = unpacked / package.name
    if target.is_dir():
        return target
    download = cache / "wheels"
    download.mkdir(parents=True, exist_ok=True)
    wheels = sorted(download.glob(f"{package.dist.replace('-', '_')}-{package.version}-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-q",
                        f"{package.dist}=={package.version}", "-d", str(download)], check=True, timeout=600)
        wheels = sorted(download.glob(f"{package.dist.replace('-', '_')}-{package.version}-*.whl"))
    wheel = wheels[0]
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != package.sha256:
        wheel.unlink()
        raise SystemExit(f"{wheel.name}: sha256 {digest} is not the pinned {package.sha256}; removed")
    with zipfile.ZipFile(wheel) as archive:
        members = [m for m in archive.namelist() if m.startswith(package.name + "/")]
        archive.extractall(unpacked, members)
    return target


def stdlib_copy(cache: Path) -> Path:
    """A copy of the standard library (site-packages left out), so that a file can be changed in it."""
    target = cache / "stdlib" / "lib"
    if not target.is_dir():
        shutil.copytree(sysconfig.get_paths()["stdlib"], target, symlinks=True,
                        ignore=shutil.ignore_patterns("site-packages", "__pycache__", "*.so"))
    return target


def count_lines(root: Path) -> int:
    total = 0
    for path in root.rglob("*.py"):
        data = path.read_bytes()
        total += data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    return total


# ---------------------------------------------------------------- measuring a child


def _tree_rss(pid: int) -> int:
    """The resident memory of a process and its descendants, in bytes."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status", "rb") as handle:
                for line in handle:
                    if line.startswith(b"VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", "rb") as handle:
                    pending.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_child(argv: list[str], cwd: Path, env: dict[str, str], timeout: float, mem_limit_mb: float) -> tuple[str, float, float, float]:
    """Run `argv`; (status, wall s, CPU s, peak RSS of the process tree in MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    peak = 0
    status = ""
    stderr_tail = b""
    while True:
        pid, wait_status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, _tree_rss(proc.pid))
        elapsed = time.perf_counter() - start
        if not status and elapsed > timeout:
            status = f"stopped: timeout after {timeout:.0f} s"
        if not status and peak > mem_limit_mb * 1024 * 1024:
            status = f"stopped: memory over {mem_limit_mb:.0f} MB after {elapsed:.0f} s"
        if status:
            os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.05)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(wait_status)
    if proc.stderr is not None:
        stderr_tail = proc.stderr.read()[-400:]
    cpu = usage.ru_utime + usage.ru_stime
    peak = max(peak, usage.ru_maxrss * 1024)
    if not status:
        status = "ok" if proc.returncode in (0, 1) else f"exit {proc.returncode}: {stderr_tail.decode(errors='replace').strip()[-200:]}"
    return status, wall, cpu, peak / (1024 * 1024)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def measure(case: str, stage: str, argv: list[str], cwd: Path, lines: int, args: argparse.Namespace,
            env: dict[str, str] | None = None, note: str = "") -> Measure:
    shown = " ".join(a if len(a) < 60 else "..." + a[-40:] for a in argv[1:])
    print(f"[{case}/{stage}] {shown}", file=sys.stderr, flush=True)
    status, wall, cpu, peak = run_child(argv, cwd, env or child_env(), args.timeout, args.mem_limit)
    result = Measure(case, stage, shown, lines, wall, cpu, peak, status, note)
    print(f"    {wall:.1f} s wall, {cpu:.1f} s CPU, {peak:.0f} MB peak, {result.rate:,.0f} lines/s, {status}",
          file=sys.stderr, flush=True)
    return result


# ---------------------------------------------------------------- the profile of one migrate run

PROFILED = {  # stage -> (file suffix, function name), read as cumulative time and call count
    "mypy builds": ("migrate/infer/static.py", "run_mypy"),
    "static rounds": ("migrate/infer/engine.py", "static_rounds"),
    "verification": ("migrate/infer/verify.py", "verified"),
    "verification rounds": ("migrate/infer/verify.py", "added"),
    "tracer (traced command)": ("migrate/infer/trace.py", "run_trace"),
    "LibCST parse": ("libcst/_parser/entrypoints.py", "parse_module"),
    "LibCST annotate": ("migrate/annotate.py", "annotate_module"),
    "LibCST upgrade": ("migrate/upgrade.py", "upgrade_module"),
    "analyzer": ("analyze/engine.py", "analyze_source"),
    "output checks": ("migrate/verify.py", "check_python"),
    "whole run": ("migrate/pipeline.py", "migrate_files"),
}


def profile_main(argv: list[str]) -> int:
    """Run `pymigrate ARGV` under cProfile; print {stage: [seconds, calls]} as JSON on the last line."""
    import contextlib
    import cProfile
    import io
    import pstats

    from pymigrate.cli import main

    profiler = cProfile.Profile()
    with contextlib.redirect_stdout(io.StringIO()):
        profiler.enable()
        try:
            main(argv)
        finally:
            profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    out: dict[str, list[float]] = {}
    for stage, (suffix, name) in PROFILED.items():
        for (filename, _, function), (_, calls, _, cumulative, _) in stats.items():
            if function == name and filename.replace(os.sep, "/").endswith(suffix):
                seconds, count = out.get(stage, [0.0, 0])
                out[stage] = [seconds + cumulative, count + calls]
    print(json.dumps(out))
    return 0


def profile(argv: list[str], cwd: Path, args: argparse.Namespace,
            env: dict[str, str] | None = None) -> dict[str, list[float]]:
    command = [sys.executable, "-m", "benchmarks.scale", "--profile-child", "--", *argv]
    try:
        proc = subprocess.run(command, cwd=ROOT, env={**(env or child_env()), "PYMIGRATE_BENCH_CWD": str(cwd)},
                              capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {}
    lines = proc.stdout.strip().splitlines()
    try:
        return {k: [float(v[0]), float(v[1])] for k, v in json.loads(lines[-1]).items()} if lines else {}
    except (ValueError, IndexError):
        return {}


# ---------------------------------------------------------------- the stages


def fresh_copy(source: Path, work: Path) -> Path:
    """A writable copy of the package in an empty directory of its own (the directory goes on PYTHONPATH)."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    shutil.copytree(source, work / source.name, ignore=shutil.ignore_patterns("__pycache__"))
    return work / source.name


def pymigrate(*args: str) -> list[str]:
    return [sys.executable, "-m", "pymigrate", *args]


def change_one_file(root: Path) -> Path:
    """Append a small function to the package's largest module: the one-file change of a commit."""
    path = max(root.rglob("*.py"), key=lambda p: p.stat().st_size)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n\ndef _scale_benchmark_change(x):\n    return x + 1\n")
    return path


def stage_analyze(case: str, source: Path, work: Path, args: argparse.Namespace) -> list[Measure]:
    root = fresh_copy(source, work) if case != "stdlib" else source
    lines = count_lines(root)
    cache_env = {**child_env(), "PYMIGRATE_CACHE_DIR": str(work.parent / f"{case}-cache")}
    shutil.rmtree(cache_env["PYMIGRATE_CACHE_DIR"], ignore_errors=True)
    out = [measure(case, "analyze", pymigrate("analyze", str(root), "--format", "json", "--no-cache", "-j", "2"),
                   root.parent, lines, args, note="cold, no cache, 2 jobs")]
    if args.serial:
        out.append(measure(case, "analyze", pymigrate("analyze", str(root), "--format", "json", "--no-cache", "-j", "1"),
                           root.parent, lines, args, note="cold, no cache, 1 job"))
    measure(case, "analyze", pymigrate("analyze", str(root), "--format", "json"), root.parent, lines, args,
            env=cache_env, note="filling the cache")
    out.append(measure(case, "analyze-warm", pymigrate("analyze", str(root), "--format", "json"), root.parent, lines,
                       args, env=cache_env, note="cache warm, nothing changed"))
    changed = change_one_file(root)
    out.append(measure(case, "analyze-warm", pymigrate("analyze", str(root), "--format", "json"), root.parent, lines,
                       args, env=cache_env, note=f"cache warm, {changed.name} changed"))
    if case == "stdlib":
        restore = changed.read_text(encoding="utf-8").rsplit("\n\ndef _scale_benchmark_change", 1)[0]
        changed.write_text(restore, encoding="utf-8")
    return out


def stage_migrate(case: str, source: Path, work: Path, args: argparse.Namespace) -> list[Measure]:
    root = fresh_copy(source, work)
    lines = count_lines(root)
    argv = ["migrate", str(root), "--diff", "--no-cache"]      # the work itself, not the migration cache
    result = measure(case, "migrate", pymigrate(*argv), root.parent, lines, args, note="static inference, --diff")
    out = [result]
    if args.serial:
        out.append(measure(case, "migrate", pymigrate(*argv, "-j", "2"), root.parent, lines, args,
                           note="static inference, --diff, per-module stages in 2 worker processes"))
    if args.profile and result.status == "ok":
        result.profile = profile(argv, root.parent, args)
    return out


def stage_trace(case: str, source: Path, work: Path, package: Package, args: argparse.Namespace) -> list[Measure]:
    root = fresh_copy(source, work)
    lines = count_lines(root)
    driver = work / "drive.py"
    driver.write_text(package.driver, encoding="utf-8")
    env = {**child_env()}
    env["PYTHONPATH"] = os.pathsep.join([str(work), env["PYTHONPATH"]])
    own = measure(case, "trace", [sys.executable, str(driver)], work, lines, args, env=env,
                  note="the traced command alone")
    command = f"{sys.executable} {driver}"
    argv = ["migrate", str(root), "--diff", "--trace", command]
    traced = measure(case, "trace", pymigrate(*argv), work, lines, args, env=env, note="migrate --diff --trace")
    if args.profile and traced.status == "ok":
        traced.profile = profile(argv, work, args, env)
    if own.status == "ok" and traced.status == "ok" and own.wall > 0:
        tracer = traced.profile.get("tracer (traced command)", [0.0])[0]
        traced.note += f"; traced command {own.wall:.1f} s alone" + (
            f", {tracer:.1f} s under the tracer ({tracer / own.wall:.1f}x, profiled run)" if tracer else "")
    return [own, traced]


def stage_build(case: str, source: Path, work: Path, args: argparse.Namespace) -> list[Measure]:
    root = fresh_copy(source, work)
    lines = count_lines(root)
    written = measure(case, "build", pymigrate("migrate", str(root), "--write", "--no-cache"), root.parent, lines, args,
                      note="migrate --write (to have .pys modules to build)")
    if written.status != "ok":
        return [written]
    pys = len(list(root.rglob("*.pys")))
    built = measure(case, "build", pymigrate("build", "-q", str(root)), root.parent, lines, args,
                    note=f"pymigrate build of the {pys} .pys modules")
    return [written, built]


def stage_incremental(case: str, source: Path, work: Path, args: argparse.Namespace) -> list[Measure]:
    """The migration caches (scratch `PYMIGRATE_CACHE_DIR`). First a package's `migrate --check` (which fills
    the run and module entries), the commit's one-file change, and `--check` of the package again (module
    entries), next to the same with `--no-cache`. Then on a fresh copy: `--write` (which records the run over
    what it wrote), `--check` right after it, the same without the cache; then the one-file change, the
    pre-commit hook on it, `migrate --write` of that file and the hook again."""
    root = fresh_copy(source, work)
    lines = count_lines(root)
    env = {**child_env(), "PYMIGRATE_CACHE_DIR": str(work.parent / f"{case}-migrate-cache")}
    shutil.rmtree(env["PYMIGRATE_CACHE_DIR"], ignore_errors=True)
    out = [measure(case, "incremental", pymigrate("migrate", str(root), "--check"), root.parent, lines, args,
                   env=env, note="migrate --check of the package, cold (fills the run and module entries)")]
    changed = change_one_file(root)
    whole = measure(case, "incremental", pymigrate("migrate", str(root), "--check"), root.parent, lines, args,
                    env=env, note=f"migrate --check of the package, {changed.name} changed (module entries)")
    plain = measure(case, "incremental", pymigrate("migrate", str(root), "--check", "--no-cache"), root.parent,
                    lines, args, env=env, note="the same, --no-cache")
    if whole.status == plain.status == "ok" and plain.cpu > 0:
        whole.note += f"; {whole.cpu / plain.cpu:.0%} of the --no-cache run's CPU"
    out += [whole, plain]
    root = fresh_copy(source, work)
    out.append(measure(case, "incremental", pymigrate("migrate", str(root), "--write"), root.parent, lines, args,
                       env=env, note="migrate --write, cache on (records the run over what it wrote)"))
    out.append(measure(case, "incremental", pymigrate("migrate", str(root), "--check"), root.parent, lines, args,
                       env=env, note="migrate --check right after --write"))
    out.append(measure(case, "incremental", pymigrate("migrate", str(root), "--check", "--no-cache"), root.parent,
                       lines, args, env=env, note="migrate --check right after --write, --no-cache"))
    changed = change_one_file(root)
    hook = [sys.executable, "-m", "pymigrate.hooks", "check", str(changed)]
    one = changed.read_bytes().count(b"\n")
    out.append(measure(case, "incremental", hook, root.parent, one, args, env=env,
                       note=f"pre-commit hook, {changed.name} changed (a miss: inference of that file)"))
    out.append(measure(case, "incremental", pymigrate("migrate", str(changed), "--write"), root.parent, one, args,
                       env=env, note=f"migrate --write {changed.name} (the fix the hook asks for)"))
    out.append(measure(case, "incremental", hook, root.parent, one, args, env=env,
                       note=f"pre-commit hook again, on the {changed.name} just written"))
    return out


# ---------------------------------------------------------------- report


def goal_verdict(m: Measure) -> str:
    if m.status != "ok":
        return "MISSED (" + m.status + ")"
    if m.stage == "analyze" and m.case == "stdlib" and "2 jobs" in m.note:
        idle = m.lines / (m.cpu / 2) if m.cpu > 0 else 0.0       # both cores busy with this run only
        verdict = "met" if m.rate >= 100_000 else f"MISSED ({m.rate / 100_000:.0%} of 100,000 lines/s)"
        return f"{verdict}; {idle:,.0f} lines/s at its CPU time if both cores ran only this"
    if m.stage == "analyze-warm" and "nothing changed" not in m.note and 25_000 <= m.lines <= 100_000:
        return "met" if m.wall < 2.0 else f"MISSED ({m.wall:.1f} s wall, {m.cpu:.1f} s CPU)"
    if m.stage == "migrate":
        verdicts = ["speed met" if m.rate >= 1000 else f"speed MISSED ({m.rate:,.0f} of 1,000 lines/s)"]
        if m.lines >= 25_000:
            verdicts.append("memory met" if m.peak_mb < 1024 else "memory MISSED (over 1 GB)")
        return "; ".join(verdicts)
    if m.stage == "incremental" and ("right after --write" in m.note or "hook again" in m.note) \
            and "--no-cache" not in m.note:
        return "met" if m.wall < 2.0 else f"MISSED ({m.wall:.1f} s wall, {m.cpu:.1f} s CPU)"
    if m.stage == "incremental" and "(module entries)" in m.note:
        return ("met" if m.wall < 2.0 else f"MISSED ({m.wall:.1f} s wall, {m.cpu:.1f} s CPU: inference is "
                "package-wide, only the stages after it are per module)")
    if m.stage == "trace" and "--trace" in m.note and "x, profiled" in m.note:
        ratio = float(m.note.rsplit("(", 1)[1].split("x")[0])
        return "met" if ratio <= 3 else f"MISSED ({ratio:.1f}x)"
    return ""


def report(results: list[Measure]) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = [f"repository scale ({os.cpu_count()} cores, load average {load:.1f} at the end)", "",
            f"{'case':<7} {'stage':<13} {'lines':>8} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'lines/s':>9}  "
            f"what / goal"]
    for m in results:
        rows.append(f"{m.case:<7} {m.stage:<13} {m.lines:>8,} {m.wall:>8.1f} {m.cpu:>8.1f} {m.peak_mb:>8.0f} "
                    f"{m.rate:>9,.0f}  {m.note}")
        verdict = goal_verdict(m)
        if verdict:
            rows.append(f"{'':<48}goal: {GOALS.get(m.stage, '')}: {verdict}")
        if m.status != "ok" and not verdict:
            rows.append(f"{'':<48}{m.status}")
    profiled = [m for m in results if m.profile]
    if profiled:
        rows += ["", "where the time goes (one more run of each under cProfile: cumulative seconds, calls)"]
        for m in profiled:
            rows.append(f"  {m.case}/{m.stage} ({m.note}):")
            for stage, (seconds, calls) in m.profile.items():
                rows.append(f"    {stage:<26} {seconds:>8.1f} s  {calls:>6.0f} calls")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--profile-child"]:
        os.chdir(os.environ.get("PYMIGRATE_BENCH_CWD", "."))
        return profile_main(argv[2:] if argv[1:2] == ["--"] else argv[1:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="small,medium,large,stdlib",
                        help="small (humanize), medium (more-itertools), large (rich), stdlib (analyze only)")
    parser.add_argument("--stages", default=",".join(STAGES), help="analyze, migrate, trace, build, incremental")
    parser.add_argument("--cache", type=Path, default=ROOT / "benchmarks" / "_scale",
                        help="downloads and work copies (default benchmarks/_scale)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a command is stopped")
    parser.add_argument("--mem-limit", type=float, default=3072.0,
                        help="MB of resident memory before a command is stopped (protects a shared machine)")
    parser.add_argument("--no-profile", dest="profile", action="store_false", help="skip the cProfile runs")
    parser.add_argument("--serial", action="store_true", help="also time analyze with one job, migrate with two")
    parser.add_argument("--json", type=Path, help="write every measurement here")
    args = parser.parse_args(argv)
    cases = [c for c in args.cases.split(",") if c]
    stages = [s for s in args.stages.split(",") if s]
    unknown = [c for c in cases if c not in PACKAGES and c != "stdlib"] + [s for s in stages if s not in STAGES]
    if unknown:
        parser.error(f"unknown case or stage: {', '.join(unknown)}")
    args.cache.mkdir(parents=True, exist_ok=True)
    results: list[Measure] = []
    for case in cases:
        work = args.cache / "work" / case
        if case == "stdlib":
            if "analyze" in stages:
                results += stage_analyze(case, stdlib_copy(args.cache), work, args)
            continue
        package = PACKAGES[case]
        source = fetch(package, args.cache)
        if "analyze" in stages:
            results += stage_analyze(case, source, work, args)
        if "migrate" in stages:
            results += stage_migrate(case, source, work, args)
        if "trace" in stages:
            results += stage_trace(case, source, work, package, args)
        if "build" in stages and case != "large":
            results += stage_build(case, source, work, args)
        if "incremental" in stages:
            results += stage_incremental(case, source, work, args)
    print(report(results))
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(m) for m in results], indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
