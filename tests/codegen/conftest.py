"""Make the compiler tests' shared helpers (codegen_support.py) importable under importlib mode."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
