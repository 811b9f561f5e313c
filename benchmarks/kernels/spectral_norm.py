"""Spectral norm of the infinite matrix A[i][j] = 1/((i+j)(i+j+1)/2 + i + 1): a float kernel
dominated by a call in the innermost loop and list reads."""

import math

SMALL = 20
LARGE = 200
KIND = "float"
TOLERANCE = 0.0  # same operations in the same order everywhere: bit-for-bit equal


def eval_a(i: int, j: int) -> float:
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def mul_av(v: list[float], out: list[float]) -> None:
    """out = A v"""
    n = len(v)
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(i, j) * v[j]
        out[i] = s


def mul_atv(v: list[float], out: list[float]) -> None:
    """out = A^T v"""
    n = len(v)
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(j, i) * v[j]
        out[i] = s


def mul_atav(v: list[float], out: list[float], tmp: list[float]) -> None:
    """out = A^T A v"""
    mul_av(v, tmp)
    mul_atv(tmp, out)


def spectral_norm(n: int) -> float:
    """Ten rounds of the power method on A^T A, truncated to n x n."""
    u = [1.0] * n
    v = [0.0] * n
    tmp = [0.0] * n
    for _ in range(10):
        mul_atav(u, v, tmp)
        mul_atav(v, u, tmp)
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return math.sqrt(vbv / vv)
