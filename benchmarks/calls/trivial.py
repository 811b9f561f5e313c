"""The trivial function whose call overhead the harness measures in every implementation."""


def add1(x: int) -> int:
    return x + 1
