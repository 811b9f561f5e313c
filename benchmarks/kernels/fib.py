"""Naive recursive Fibonacci: an integer kernel that measures call cost and checked addition."""

SMALL = 10
LARGE = 32
KIND = "int"
TOLERANCE = 0.0


def fib(n: int) -> int:
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
