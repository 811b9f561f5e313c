"""Side-by-side benchmarks: the same kernels in CPython, C, Numba, mypyc and pymigrate.

Run with `python -m benchmarks` (or `make bench`); see docs/performance.md.
"""
