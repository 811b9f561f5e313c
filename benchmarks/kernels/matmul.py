"""Matrix multiply on lists of lists: a list kernel (nested indexing, appends, float accumulation)."""

SMALL = 6
LARGE = 150
KIND = "list"
TOLERANCE = 0.0  # same operations in the same order everywhere: bit-for-bit equal


def make_matrix(n: int, seed: int) -> list[list[float]]:
    """An n x n matrix of deterministic values in [0, 1)."""
    m: list[list[float]] = []
    for i in range(n):
        row: list[float] = []
        for j in range(n):
            row.append(float((i * 31 + j * 17 + seed) % 97) / 97.0)
        m.append(row)
    return m


def matmul(n: int) -> float:
    """Sum of the entries of A B for two n x n matrices (i-k-j loop order)."""
    a = make_matrix(n, 1)
    b = make_matrix(n, 2)
    c = make_matrix(n, 0)
    for i in range(n):
        for j in range(n):
            c[i][j] = 0.0
    for i in range(n):
        for k in range(n):
            aik = a[i][k]
            for j in range(n):
                c[i][j] += aik * b[k][j]
    total = 0.0
    for i in range(n):
        for j in range(n):
            total += c[i][j]
    return total
