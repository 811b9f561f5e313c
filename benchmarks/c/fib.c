/* Naive recursive Fibonacci, as kernels/fib.py (no overflow check: the physical-limit proxy). */
long long fib(long long n) {
    if (n < 2) return n;
    return fib(n - 1) + fib(n - 2);
}
