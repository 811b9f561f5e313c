"""Differential harness: one package, three ways to run it, the same calls, outcomes compared.

(a) the original `.py` modules under CPython; (b) the output of the real `pymigrate migrate --write`
on a copy, imported through `pymigrate.importer` in JIT mode; (c) that output after the real
`pymigrate build`, imported as extension modules by a bare interpreter (`-S`, no pymigrate).
Every way runs in a subprocess that prints one line per call as it goes, so a crash of compiled
code is caught, pinned to its call, and the remaining calls still run.
"""

from __future__ import annotations

import ast
import os
import pickle
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
RUNNER = Path(__file__).with_name("e2e_runner.py")
MODES = ("cpython", "jit", "so")
CALL_TIMEOUT = 120.0  # the longest silence of a runner (one call): a hang is reported as ("crash", "timeout")


class PipelineError(AssertionError):
    """A pipeline stage (migrate, build) failed: a finding in itself."""


@dataclass
class Package:
    """A package written three times under one root: orig/, mig/ (migrated), built/ (migrated + built)."""

    root: Path
    name: str
    modules: dict[str, str]
    migrate_log: str = ""
    build_log: str = ""
    pys: dict[str, str] = field(default_factory=dict)
    dirs: dict[str, Path] = field(default_factory=dict)  # mode -> import root, when not root/orig|mig|built

    def dir(self, mode: str) -> Path:
        if mode in self.dirs:
            return self.dirs[mode]
        return self.root / {"cpython": "orig", "jit": "mig", "so": "built"}[mode]


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def make_package(root: Path, name: str, modules: dict[str, str], *, build: bool | list[str] = True,
                 extra: dict[str, str] | None = None, upgraded: dict[str, str] | None = None) -> Package:
    """Write the modules, migrate a copy with `pymigrate migrate --write`, build a copy of that.

    `build` may list the modules to build (the others stay unbuilt); `extra` modules (oracles) are
    written into orig/ only, after the migrated copy was taken. `upgraded` gives hand-written `.pys`
    texts that replace the migrator's output for those modules (to test the compiler and bindings
    on an upgrade the analyzer would refuse).
    """
    pkg = Package(root, name, modules)
    orig = pkg.dir("cpython") / name
    orig.mkdir(parents=True)
    (orig / "__init__.py").write_text("")
    for mod, text in modules.items():
        (orig / f"{mod}.py").write_text(text)
    mig = pkg.dir("jit") / name
    shutil.copytree(orig, mig)
    proc = _run([str(BIN / "pymigrate"), "migrate", "--write", str(mig)], cwd=root)
    pkg.migrate_log = proc.stdout + proc.stderr
    for mod, text in (extra or {}).items():
        (orig / f"{mod}.py").write_text(text)
    if proc.returncode != 0:
        raise PipelineError(f"pymigrate migrate --write failed ({proc.returncode}):\n{pkg.migrate_log}")
    for mod, text in (upgraded or {}).items():
        (mig / f"{mod}.py").unlink(missing_ok=True)
        (mig / f"{mod}.pys").write_text(text)
    for mod in modules:
        path = mig / f"{mod}.pys"
        if path.exists():
            pkg.pys[mod] = path.read_text()
    if build:
        built = pkg.dir("so") / name
        shutil.copytree(mig, built)
        targets = [str(built)] if build is True else [str(built / f"{m}.pys") for m in build if m in pkg.pys]
        if pkg.pys and targets:
            jobs = "0" if len(pkg.pys) > 1 else "1"
            proc = _run([str(BIN / "pymigrate"), "build", "-q", "-j", jobs, *targets], cwd=root)
            pkg.build_log = proc.stdout + proc.stderr
            if proc.returncode != 0:
                raise PipelineError(f"pymigrate build failed ({proc.returncode}):\n{pkg.build_log}")
    return pkg


def fn_names(pys_source: str, filename: str = "<e2e>") -> set[str]:
    """Names written as `fn` (module level, methods of structs and of classes as `C.m`) and `struct` in a .pys."""
    from pymigrate.superset import parse

    result = parse(pys_source, filename)
    names: set[str] = set()
    for node in result.tree.body:
        if isinstance(node, ast.FunctionDef) and result.is_fn(node):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            if result.is_struct(node):
                names.add(node.name)
            for sub in node.body:
                if isinstance(sub, ast.FunctionDef) and result.is_fn(sub):
                    names.add(f"{node.name}.{sub.name}")
    return names


def ready_names(source: str, path: Path) -> set[str]:
    """What the analyzer calls ready in a (fully annotated) module."""
    from pymigrate.analyze import analyze_source

    analysis = analyze_source(source, path)
    ready = {f.qualname for f in analysis.functions if f.status == "ready"}
    ready |= {c.qualname for c in analysis.classes if c.status == "ready"}
    return ready


def assert_upgraded(pkg: Package, mod: str) -> set[str]:
    """The migrated module is a .pys in which everything the analyzer calls ready is a fn/struct."""
    assert mod in pkg.pys, f"{mod}.py was not upgraded to .pys:\n{pkg.migrate_log}"
    ready = ready_names(pkg.modules[mod], pkg.dir("cpython") / pkg.name / f"{mod}.py")
    upgraded = fn_names(pkg.pys[mod], f"{mod}.pys")
    top_ready = {q for q in ready if "<locals>" not in q}
    missing = top_ready - upgraded
    assert not missing, f"analyzer calls {sorted(missing)} ready but the .pys keeps them def/class:\n{pkg.pys[mod]}"
    assert upgraded, f"nothing upgraded in {mod}.pys"
    return upgraded


def _env(mode: str) -> dict[str, str]:
    # PYTHONPATH stays: a worktree's copy of pymigrate (put first on the path) is the one under test
    env = {k: v for k, v in os.environ.items() if k == "PYTHONPATH" or not k.startswith(("PYTHON", "PYMIGRATE"))}
    if mode == "jit":
        env["PYMIGRATE_IMPORT_MODE"] = "jit"
        env["PYMIGRATE_NO_CACHE"] = "1"
    return env


def _stream(argv: list[str], cwd: Path, env: dict[str, str], first: float, each: float) -> tuple[list[str], int, bool, str]:
    """Run argv and collect its stdout lines as they come; kill it once no line came for `each` seconds
    after a `-2` line (the runner starts a call) or `first` seconds after any other (the runner starts,
    imports the next call's module). The lines, the exit status, whether it was killed for silence, and
    the end of its stderr."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        fd, buf, lines, limit, silent = proc.stdout.fileno(), b"", [], first, False
        while True:
            if not select.select([fd], [], [], limit)[0]:
                proc.kill()
                silent = True
            chunk = os.read(fd, 1 << 16)  # after a kill: what it wrote before, then end of file
            if not chunk:
                break
            buf += chunk
            *done, buf = buf.split(b"\n")
            if done and not silent:
                lines += [d.decode() for d in done]
                limit = each if lines[-1].startswith("-2\t") else first
        proc.stdout.close()
        code = proc.wait()
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    return lines, code, silent, stderr


def run_calls(pkg: Package, mode: str, items: list[dict[str, Any]], scratch: Path | None = None,
              timeout: float | None = None, call_timeout: float | None = None) -> list[Any]:
    """Outcome of every item in one way of running; ("crash", signal) for a call that killed the process,
    ("crash", "timeout") for one that ran longer than `call_timeout` seconds (the process is killed and
    the run resumes after it).

    `timeout` bounds the wait for the first outcome (imports, the JIT's compile, the first call); both
    default to CALL_TIMEOUT.
    """
    first = CALL_TIMEOUT if timeout is None else timeout
    each = first if call_timeout is None else call_timeout
    scratch = scratch or pkg.root
    calls = scratch / f"calls-{mode}-{os.getpid()}.pickle"
    with open(calls, "wb") as fh:
        pickle.dump(items, fh)
    if mode == "so":
        cmd = [getattr(sys, "_base_executable", sys.executable), "-S", "-I", str(RUNNER)]
    else:
        cmd = [sys.executable, str(RUNNER)]
    results: list[Any] = [None] * len(items)
    start = 0
    leaked: Any = []
    while start < len(items):
        argv = cmd + [mode, str(pkg.dir(mode)), str(calls), str(start)]
        lines, code, timed_out, stderr = _stream(argv, scratch, _env(mode), first, each)
        last = start - 1
        for line in lines:
            index_text, _, payload = line.partition("\t")
            index = int(index_text)
            if index == -2:
                continue
            if index == -1:
                leaked = ast.literal_eval(payload)
                continue
            results[index] = ast.literal_eval(payload)
            last = index
        if code == 0 and last == len(items) - 1:
            break
        crashed = last + 1
        if crashed >= len(items):
            break
        sig = -code if code < 0 and not timed_out else None
        name = "timeout" if timed_out else signal.Signals(sig).name if sig else f"exit {code}"
        results[crashed] = ("crash", name, stderr[-2000:])
        start = crashed + 1
    assert not leaked, f"the built extension imported {leaked}"
    return results


@dataclass
class Difference:
    item: dict[str, Any]
    mode: str
    expected: Any
    got: Any

    def __str__(self) -> str:
        call = self.item.get("code") or f"{self.item['call']}(*{self.item.get('args')!r})"
        return f"[{self.mode}] {self.item['module']}: {call}\n    expected {self.expected!r}\n    got      {self.got!r}"


def check_origin(mode: str, result: Any, module: str, upgraded: bool = True) -> Any:
    """Strip the ("file", path, outcome) envelope after checking the module came from the right file.

    A module the migrator left as `.py` (not `upgraded`) runs from its `.py` in every way.
    """
    if result[0] != "file":
        return result
    _, path, out = result
    want = {"cpython": ".py", "jit": ".pys", "so": ".so"}[mode] if upgraded else ".py"
    assert path.endswith(want), f"[{mode}] {module} was imported from {path}, expected a {want} file"
    return out


def differences(pkg: Package, items: list[dict[str, Any]], modes: tuple[str, ...] = MODES,
                expected: list[Any] | None = None, base_items: list[dict[str, Any]] | None = None,
                timeout: float | None = None, call_timeout: float | None = None) -> list[Difference]:
    """Every call whose outcome in a compiled way differs from CPython's (or from `expected`).

    `base_items` (same length as items) are what CPython runs instead, e.g. calls into oracle modules.
    """
    base_items = base_items or items
    base = [check_origin("cpython", r, i["module"])
            for r, i in zip(run_calls(pkg, "cpython", base_items, timeout=timeout, call_timeout=call_timeout),
                            base_items)]
    if expected is not None:
        base = [e if e is not None else b for e, b in zip(expected, base)]
    found = []
    if os.environ.get("PYMIGRATE_E2E_STATS"):
        kinds: dict[str, int] = {}
        for b in base:
            key = b[0] if b[0] != "raise" else f"raise {b[1]}"
            kinds[key] = kinds.get(key, 0) + 1
        print("e2e baseline outcomes:", dict(sorted(kinds.items())))
    for mode in modes:
        if mode == "cpython":
            continue
        got = [check_origin(mode, r, i["module"], i["module"].rpartition(".")[2] in pkg.pys)
               for r, i in zip(run_calls(pkg, mode, items, timeout=timeout, call_timeout=call_timeout), items)]
        for item, want, have in zip(items, base, got):
            if want != have:
                found.append(Difference(item, mode, want, have))
    return found


def call(module: str, code: str) -> dict[str, Any]:
    return {"module": module, "code": code}
