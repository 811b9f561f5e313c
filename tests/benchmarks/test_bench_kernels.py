"""Kernel discovery and the kernels' own results against known values."""

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from benchmarks.kernels import KERNELS_DIR, KernelError, discover, load_kernel

EXPECTED = {"fannkuch", "fib", "mandelbrot", "matmul", "nbody", "sieve", "spectral_norm", "text"}


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_kernel_{name}", KERNELS_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_discovers_every_kernel_with_its_metadata() -> None:
    kernels = {k.name: k for k in discover()}
    assert set(kernels) == EXPECTED
    assert kernels["nbody"].returns == "float" and kernels["nbody"].kind == "float"
    assert kernels["sieve"].returns == "int" and kernels["sieve"].kind == "int"
    assert kernels["matmul"].kind == "list"
    for kernel in kernels.values():
        assert 0 < kernel.small < kernel.large
        assert (Path(__file__).parents[2] / "benchmarks" / "c" / f"{kernel.name}.c").exists()


def test_only_filters_and_rejects_unknown_names() -> None:
    assert [k.name for k in discover(only=["fib", "sieve"])] == ["fib", "sieve"]
    with pytest.raises(KernelError, match="unknown kernel"):
        discover(only=["nope"])


def test_bad_kernel_modules_are_reported_with_position(tmp_path: Path) -> None:
    bad = tmp_path / "k.py"
    bad.write_text("SMALL = 1\nLARGE = 2\nKIND = 'int'\nTOLERANCE = 0.0\n\ndef k(n: int) -> str:\n    return ''\n")
    with pytest.raises(KernelError, match=r"k.py:6:1: entry must return `int` or `float`"):
        load_kernel(bad)
    bad.write_text("def k(n: int) -> int:\n    return n\n")
    with pytest.raises(KernelError, match="missing module constant"):
        load_kernel(bad)
    bad.write_text("SMALL = 1\n")
    with pytest.raises(KernelError, match="no entry function"):
        load_kernel(bad)


@pytest.mark.parametrize(
    "name, n, expected",
    [
        ("fib", 10, 55),
        ("sieve", 1000, 168),  # primes below 1000
        ("fannkuch", 7, 228 * 100 + 16),  # the benchmark's published checksum 228 and 16 flips for n=7
        ("nbody", 1000, -0.169087605),  # the benchmark's published energy after 1000 steps (9 digits)
        ("spectral_norm", 100, 1.274219991),  # the benchmark's published value for n=100
    ],
)
def test_kernels_match_published_values(name: str, n: int, expected: object) -> None:
    result = getattr(_module(name), name)(n)
    if isinstance(expected, float):
        assert round(result, 9) == expected
    else:
        assert result == expected


def test_text_kernel_counts_words_of_its_paragraph() -> None:
    module = _module("text")
    words = [w for w in module.TEXT.replace(",", " ").replace(".", " ").split()]
    vowels = sum(module.TEXT.count(v) for v in "aeiou")
    longest = max(len(w) for w in words)
    check = 0
    for w in words:
        check = (check * 31 + len(w)) % 1000003
    assert module.text(1) == len(words) + vowels + longest + check
