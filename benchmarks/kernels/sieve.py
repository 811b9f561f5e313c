"""Sieve of Eratosthenes: an integer kernel over a list of flags."""

SMALL = 1000
LARGE = 2000000
KIND = "int"
TOLERANCE = 0.0


def sieve(n: int) -> int:
    """How many primes are <= n (n >= 1)."""
    flags = [True] * (n + 1)
    flags[0] = False
    flags[1] = False
    i = 2
    while i * i <= n:
        if flags[i]:
            j = i * i
            while j <= n:
                flags[j] = False
                j += i
        i += 1
    count = 0
    for k in range(n + 1):
        if flags[k]:
            count += 1
    return count
