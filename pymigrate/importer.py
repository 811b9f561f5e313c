"""`import pymigrate.importer` makes `.pys` modules importable, like `.py` ones.

Importing this module installs the meta-path finder from pymigrate.runtime.hook (once per
process). `.pys` modules are compiled on first import and cached on disk; see docs/runtime.md.
"""

from __future__ import annotations

from pymigrate.runtime.hook import PysFinder, PysLoader, install, uninstall

__all__ = ["PysFinder", "PysLoader", "install", "uninstall", "FINDER"]

FINDER: PysFinder = install()
