"""Real pure-Python packages from PyPI through the whole pipeline: tests, analyze, migrate, build,
differential run against the original, speed next to Cython and mypyc (`python -m benchmarks.realpkgs`)."""
