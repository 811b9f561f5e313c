/* Matrix multiply: the same values, loop order (i-k-j) and summation order as kernels/matmul.py,
   on contiguous arrays (the layout C would use). */
#include <stdlib.h>

static double *make_matrix(long long n, long long seed) {
    double *m = malloc(sizeof(double) * n * n);
    for (long long i = 0; i < n; i++)
        for (long long j = 0; j < n; j++)
            m[i * n + j] = (double)((i * 31 + j * 17 + seed) % 97) / 97.0;
    return m;
}

double matmul(long long n) {
    double *a = make_matrix(n, 1), *b = make_matrix(n, 2), *c = make_matrix(n, 0);
    for (long long i = 0; i < n * n; i++) c[i] = 0.0;
    for (long long i = 0; i < n; i++)
        for (long long k = 0; k < n; k++) {
            double aik = a[i * n + k];
            for (long long j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
        }
    double total = 0.0;
    for (long long i = 0; i < n; i++)
        for (long long j = 0; j < n; j++) total += c[i * n + j];
    free(a); free(b); free(c);
    return total;
}
