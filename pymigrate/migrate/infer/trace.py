"""Dynamic evidence: run the user's command (typically the test suite) under the sampling tracer.

The tracer is injected through a generated ``sitecustomize`` put first on PYTHONPATH, so any Python the
command starts (pytest, tox envs that keep the environment, subprocesses) records into one directory; the
command should therefore extend PYTHONPATH rather than replace it. The command runs in the directory it
is given (``pymigrate migrate`` gives the one it was started from); the package's modules already upgraded
to ``.pys`` import through pymigrate's import hook there, so a partly migrated package can be traced. A command that exits non-zero, is not
found or times out raises ``TraceError``, unless the caller allows it: then a warning says so on stderr and
the types recorded before it stopped are used.
"""

from __future__ import annotations

import builtins
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .api import TraceError
from .model import NEVER, Facts, TypeRef
from .package import ACCESSORS, Module, first_line
from .static import _public_name

TIMEOUT = 3600
MAX_WEIGHT = 100
# run-time types that live in builtins but have no builtin name
_BUILTIN_VIEWS = {"builtins.dict_keys": "collections.abc.KeysView", "builtins.dict_values": "collections.abc.ValuesView",
                  "builtins.dict_items": "collections.abc.ItemsView"}


STDERR_LINES = 5    # the tail of the command's stderr quoted in the error


def _failure(command: str, cwd: Path, returncode: int, stderr: str) -> str:
    """Why the trace failed, in the words of the shell and the command."""
    if returncode == 127:
        why = "was not found (shell exit status 127)"
    elif returncode < 0:
        why = f"was killed by signal {-returncode}"
    else:
        why = f"exited with status {returncode}"
    tail = [line.strip() for line in stderr.splitlines() if line.strip(" \t^~")][-STDERR_LINES:]
    where = "the current directory" if cwd.resolve() == Path.cwd().resolve() else str(cwd)
    text = f"trace command {command!r} (run in {where}) {why}"
    return text + (": " + " | ".join(tail) if tail else "")


# The traced process also imports the package's `.pys` modules (a partly migrated package), as its users do
# through the import hook, when that Python has pymigrate.
SITECUSTOMIZE = """\
import _pymigrate_tracer
_pymigrate_tracer.start()
try:
    import pymigrate.importer
except ImportError:
    pass
"""


def run_trace(command: str, cwd: Path, modules: Sequence[Module], allow_failure: bool = False) -> Facts:
    """Types observed while ``command`` runs in ``cwd``; raises TraceError when it fails (a warning
    instead with ``allow_failure``)."""
    with tempfile.TemporaryDirectory(prefix="pymigrate-trace-") as tmp:
        work = Path(tmp)
        shutil.copy(Path(__file__).with_name("tracer_runtime.py"), work / "_pymigrate_tracer.py")
        (work / "sitecustomize.py").write_text(SITECUSTOMIZE)
        files = work / "files.txt"
        files.write_text("\n".join(str(m.path) for m in modules) + "\n")
        out = work / "out"
        out.mkdir()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(work), *filter(None, [env.get("PYTHONPATH")])])
        env["PYMIGRATE_TRACE_DIR"] = str(out)
        env["PYMIGRATE_TRACE_FILES"] = str(files)
        try:
            proc = subprocess.run(command, shell=True, cwd=cwd, env=env, timeout=TIMEOUT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
            returncode, stderr = proc.returncode, proc.stderr
        except subprocess.TimeoutExpired:
            returncode, stderr = -9, f"timed out after {TIMEOUT} s"
        if returncode != 0:
            message = _failure(command, cwd, returncode, stderr)
            if not allow_failure:
                raise TraceError(message)
            print(f"warning: {message}; using the types it recorded", file=sys.stderr)
        return load_traces(sorted(out.glob("trace-*.json")), modules)


def load_traces(paths: Sequence[Path], modules: Sequence[Module]) -> Facts:
    facts = Facts()
    by_path = {str(m.path): m for m in modules}
    prefixes = tuple({m.name.split(".")[0] + "." for m in modules})
    for path in paths:
        for entry in json.loads(path.read_text(encoding="utf-8")):
            module = by_path.get(entry["file"])
            qualname = None if module is None else _function_at(module, entry["qualname"], entry.get("line"))
            if module is None or qualname is None:
                continue
            ff = facts.function(module.name, qualname)
            for name, types in entry["params"].items():
                for key, count in types.items():
                    t = _typeref(json.loads(key), prefixes)
                    if t is not None:
                        for _ in range(min(int(count), MAX_WEIGHT)):   # frequency orders the fallbacks
                            ff.add_param(name, "trace", t)
            for key in entry["returns"]:
                t = _typeref(json.loads(key), prefixes)
                if t is not None:
                    ff.add_return("trace", t)
            for key in entry["yields"]:
                t = _typeref(json.loads(key), prefixes)
                if t is not None:
                    ff.add_return("trace-yield", t)
    return facts


def _function_at(module: Module, qualname: str, line: object) -> str | None:
    """The indexed function a code object belongs to: a property's setter shares its getter's qualname and
    is told apart by its first line (that of its first decorator)."""
    for suffix in ACCESSORS:
        twin = module.functions.get(f"{qualname}@{suffix}")
        if twin is not None and line == first_line(twin.node):
            return twin.qualname
    return qualname if qualname in module.functions else None


def _typeref(data: object, prefixes: tuple[str, ...]) -> TypeRef | None:
    """A traced descriptor as a TypeRef under the names annotations use (None if it has none)."""
    t = TypeRef.from_json(data)
    return _rename(t, prefixes)


def _rename(t: TypeRef, prefixes: tuple[str, ...]) -> TypeRef | None:
    from .model import union
    name = t.name
    if name.startswith("builtins.") and not hasattr(builtins, name[9:]):
        name = _BUILTIN_VIEWS.get(name, NEVER)
        if name == NEVER:
            return TypeRef(NEVER)
    elif "." in name:
        public = _public_name(name, prefixes)
        if public is None:
            return TypeRef("<never>")
        name = public
    args = [_rename(a, prefixes) for a in t.args]
    if any(a is None for a in args):
        return None
    refs = tuple(a for a in args if a is not None)
    if name == "|":
        return union(refs)
    return TypeRef(name, refs)
