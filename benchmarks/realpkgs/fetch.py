"""Download a pinned sdist into a cache (never into the repository), check its sha256, unpack it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from benchmarks.realpkgs.packages import Spec

CACHE = Path(os.environ.get("PYMIGRATE_REALPKGS_CACHE") or Path.home() / ".cache" / "pymigrate-realpkgs")


class FetchError(Exception):
    """The sdist could not be downloaded (no network, no index): the run is skipped with this reason."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(spec: Spec, cache: Path = CACHE) -> Path:
    """The cached sdist archive, downloaded with pip when missing; a hash mismatch is an error, never used."""
    archive = cache / spec.sdist
    if not archive.exists():
        cache.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
                               "-q", "-d", str(cache), f"{spec.name}=={spec.version}"],
                              capture_output=True, text=True, timeout=300)
        if not archive.exists():
            tail = " | ".join((proc.stderr.strip() or proc.stdout.strip()).splitlines()[-3:])
            raise FetchError(f"pip download {spec.name}=={spec.version} failed: {tail}")
    got = sha256(archive)
    if got != spec.sha256:
        archive.unlink()
        raise ValueError(f"{archive.name}: sha256 {got} is not the pinned {spec.sha256}; the file was removed")
    return archive


def unpack(archive: Path, dest: Path) -> Path:
    """Unpack into dest (replaced if present); the sdist root folder."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    (root,) = [p for p in dest.iterdir() if p.is_dir()]
    return root
