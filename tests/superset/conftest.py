"""Lets the superset tests import their helper modules (superset_golden.py, superset_stdlib_sweep.py) by name."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
