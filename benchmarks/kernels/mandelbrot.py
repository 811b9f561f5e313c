"""Mandelbrot escape times: a float kernel (scalar arithmetic, comparisons, early exit)."""

SMALL = 24
LARGE = 320
KIND = "float"
TOLERANCE = 0.0  # the result is an integer: exact

MAX_ITER = 50


def escape_time(cr: float, ci: float) -> int:
    """Iterations before z -> z*z + c leaves the radius-2 disc, or MAX_ITER when it stays inside."""
    zr = 0.0
    zi = 0.0
    i = 0
    while i < MAX_ITER:
        tr = zr * zr - zi * zi + cr
        ti = 2.0 * zr * zi + ci
        zr = tr
        zi = ti
        if zr * zr + zi * zi > 4.0:
            return i
        i += 1
    return MAX_ITER


def mandelbrot(n: int) -> int:
    """Sum of escape times over an n x n grid covering [-1.5, 0.5] x [-1, 1]."""
    total = 0
    for y in range(n):
        ci = 2.0 * y / n - 1.0
        for x in range(n):
            cr = 2.0 * x / n - 1.5
            total += escape_time(cr, ci)
    return total
