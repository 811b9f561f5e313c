"""Make the e2e helpers (e2e_harness, e2e_gen) importable under importlib mode."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
